"""Find and normalize phone numbers, e-mail addresses and messaging handles in ad text.

Pure functions without keys: :mod:`lagesbild.privacy` turns what they return into
pseudonyms, and scrubs the returned spans from the text, so every obfuscated form
found here is also removed before storage. Phone numbers become E.164
(``+46701740612``); a fast path handles the common Swedish mobile formats and
``phonenumbers`` handles everything else.

Forms found: plain and split digits (``070-174 06 12``, ``0 7 0 1 7 4 ...``),
international numbers (``+46 (0)70...``, ``0046...``), letters typed for digits
(``O7O-l74 O6 l2``) and spelled-out digits in Swedish and English (``noll sju noll
...``, ``zero seven zero ...``). Numbers that look like phones but are prices, dates,
times or post codes are rejected: a national number must start with the trunk prefix
0, dates and clock times have their own shapes, and an amount followed by a currency
is a price.

The phone finder is split by trick family, one module each:

* ``_e164``: :func:`normalize_phone` and the shapes of a Swedish mobile;
* ``_chars``: the character map the finders read (digits of any script, homoglyphs, emoji as separators);
* ``_common``: what every finder shares: separators, the guards that reject dates, prices, masks, ids and
  disowned numbers (``_accept``), the choice of numbers in a run of digit groups (``_windows``), unit words;
* ``_digits``: runs of digits and letters typed for digits, with dates and clock times blanked;
* ``_spelled``: number words ("noll sju noll ...", "sjuttiofyra", stretched and letter-by-letter words);
* ``_joined``: digit groups joined by words, remarks or a cue ("070 sen 174 sist 0621"), or by whole clauses in one
  sentence ("070 och sedan, efter en liten paus, 174 — glöm inte 06 och till sist 12"); the age as the last group;
* ``_arith``: arithmetic: a group as a sum or product, in brackets or after a cue, "plus N" to add, "a number
  between 47 and 49", and the clauses that give digits ("sju tre", "6 gånger 8"), every group on its own with
  some in brackets ("0(7·10) – (100+74) – 0(2·3) – (6+6)");
* ``_parts``: a number given in parts: labelled halves, groups one by one, numbered parts, parts joined by "+",
  the start in the title and the rest in the body with a remark ("(början står i rubriken)");
* ``_clauses``: masked or blank last digits that a clause gives ("sista två siffrorna är ...", "xx = ...");
* ``_letters``: letters and signs for digits: leetspeak, single letters between digits, symbols, a letter key,
  roman numerals the ad names (the last group, or every digit), punctuation of three kinds or more between digits;
* ``_reorder``: digits in another order or count: backwards, doubled, one to drop, shifted (the instruction before
  or after the digits), the last two swapped;
* ``_trunk``: a mobile without its trunk 0, a country code given apart, chat links;
* ``_morse``: a mobile in Morse code, when the ad says so;
* ``_hints``: a sign the ad explains ("X7X-174 X6 31 (X = noll)"), read by running the first pass again;
* ``_decoder``: the fallback decoder for ads that ask to be contacted and where nothing else was found;
* ``_scan``: the first pass of finders; ``_phones``: :func:`find_phones`, the order of every pass;
* ``_email``, ``_handles``: e-mail addresses and messaging handles.

>>> normalize_phone("070-174 06 12")
'+46701740612'
>>> [v for _, _, v in find_phones("Ring 070-174 06 12 eller +46 8 465 004 78")]
['+46701740612', '+46846500478']
>>> [v for _, _, v in find_phones("noll sju noll ett sju fyra noll sex ett två")]
['+46701740612']
"""

from __future__ import annotations

from lagesbild.normalize.identifiers._e164 import normalize_phone
from lagesbild.normalize.identifiers._email import find_emails, normalize_email
from lagesbild.normalize.identifiers._handles import find_handles
from lagesbild.normalize.identifiers._phones import find_phones

__all__ = ["find_emails", "find_handles", "find_phones", "normalize_email", "normalize_phone"]
