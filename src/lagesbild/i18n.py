"""The one catalogue of the words people read, in Swedish (default) and English.

The dashboard (:mod:`lagesbild.web`) and the command line (:mod:`lagesbild.cli`, and the texts
:mod:`lagesbild.link.explain` writes for it) take their words from :data:`STRINGS`, so a word is
translated once. It imports nothing of the package, so every layer may import it.

A dashboard page is Swedish unless the user chose English (their setting) or the URL says
``?lang=en``; a command is Swedish unless it is given ``--lang en``. A missing key is an error in
the tests (``tests/web/test_pages.py``, ``tests/test_i18n.py``), never a blank.
"""

from __future__ import annotations

__all__ = ["LANGS", "STRINGS", "label", "note", "t"]

LANGS = ("sv", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("Lägesbild", "Lägesbild (situation picture)"),
    "overview": ("Översikt", "Overview"),
    "sources": ("Källor", "Sources"),
    "networks": ("Nätverk", "Networks"),
    "indicators": ("Indikatorer", "Indicators"),
    "verdicts": ("Domar", "Verdicts"),
    "campaigns": ("Kampanjer", "Campaigns"),
    "reports": ("Rapporter", "Reports"),
    "assumptions": ("Antaganden", "Assumptions"),
    "audit": ("Granskningslogg", "Audit log"),
    "users": ("Användare", "Users"),
    "login": ("Logga in", "Log in"),
    "logout": ("Logga ut", "Log out"),
    "username": ("Användarnamn", "User name"),
    "password": ("Lösenord", "Password"),
    "login_failed": ("Fel användarnamn eller lösenord.", "Wrong user name or password."),
    "login_blocked": (
        "För många misslyckade inloggningar. Försök igen om en stund.",
        "Too many failed logins. Try again later.",
    ),
    "year": ("År", "Year"),
    "show": ("Visa", "Show"),
    "no_data": ("inga data", "no data"),
    "no_access": ("ingen behörighet", "no access"),
    "ads": ("annonser", "ads"),
    "key_figures": ("Nyckeltal", "Key figures"),
    "estimate": ("Skattning", "Estimate"),
    "interval": ("Intervall", "Interval"),
    "method": ("Metod", "Method"),
    "coverage": ("Datatäckning", "Data coverage"),
    "observations": ("Observationer", "Observations"),
    "days_monitored": ("Dagar med data", "Days with data"),
    "period": ("Period", "Period"),
    "monthly_ads": ("Annonser per månad", "Ads per month"),
    "municipalities": ("Kommuner", "Municipalities"),
    "counties": ("Län", "Counties"),
    "area": ("Område", "Area"),
    "download_csv": ("Ladda ner CSV", "Download CSV"),
    "download_xlsx": ("Ladda ner Excel", "Download Excel"),
    "suppressed_note": (
        "Antal under {n} visas som <{n}; '..' är dolt för att skydda ett litet antal.",
        "Counts below {n} are shown as <{n}; '..' is hidden to protect a small count.",
    ),
    "estimates_missing": (
        "Inga skattningar för området och perioden (inga länkade annonser).",
        "No estimates for this area and period (no linked ads).",
    ),
    "hover_hint": (
        "Håll muspekaren över ett område för namn och värde; klicka för att öppna det.",
        "Hover over an area for its name and value; click to open it.",
    ),
    "q_persons": ("Personer (kvinnor) som annonserar", "Persons (women) advertising"),
    "q_personas": ("Annonsidentiteter", "Advertising personas"),
    "q_person_days": ("Persondagar", "Person-days"),
    "q_advertisers": ("Annonsörer", "Advertisers"),
    "q_ads": ("Annonser (länkade)", "Ads (linked)"),
    "q_ad_days": ("Annonsdagar", "Ad-days"),
    "q_purchases": ("Sexköp per år", "Sex purchases per year"),
    "q_persons_crc": ("Dold population (fångst-återfångst)", "Hidden population (capture-recapture)"),
    "q_demand_12m": ("Män som köpt sex senaste 12 mån", "Men who bought sex in the last 12 months"),
    "q_demand_ever": ("Män som någon gång köpt sex", "Men who ever bought sex"),
    "state": ("Status", "State"),
    "last_run": ("Senaste körning", "Last run"),
    "ads_online": ("Annonser online", "Ads online"),
    "reasons": ("Orsaker", "Reasons"),
    "network": ("Nätverk", "Network"),
    "persons": ("Personer", "Persons"),
    "first_seen": ("Först sedd", "First seen"),
    "last_seen": ("Senast sedd", "Last seen"),
    "evidence": ("Underlag", "Evidence"),
    "shared_phones": ("Delade telefonnummer (pseudonymer)", "Shared phone numbers (pseudonyms)"),
    "template_similarity": ("Textmallslikhet", "Template similarity"),
    "pseudonymized": (
        "Alla identifierare är pseudonymer; inga telefonnummer, namn eller e-postadresser visas.",
        "Every identifier is a pseudonym; no phone numbers, names or e-mail addresses are shown.",
    ),
    "court": ("Domstol", "Court"),
    "verdict_date": ("Domsdatum", "Verdict date"),
    "age": ("Ålder", "Age"),
    "home": ("Hemkommun", "Home municipality"),
    "offence_place": ("Brottskommun", "Offence municipality"),
    "day_fines": ("Dagsböter", "Day-fines"),
    "name": ("Namn", "Name"),
    "start": ("Start", "Start"),
    "end": ("Slut", "End"),
    "note": ("Anteckning", "Note"),
    "generate": ("Skapa rapport", "Generate report"),
    "language": ("Språk", "Language"),
    "jobs": ("Jobb", "Jobs"),
    "status": ("Status", "Status"),
    "progress": ("Förlopp", "Progress"),
    "download": ("Ladda ner", "Download"),
    "status_queued": ("i kö", "queued"),
    "status_running": ("pågår", "running"),
    "status_done": ("klar", "done"),
    "status_failed": ("misslyckades", "failed"),
    "recalculate": ("Räkna om", "Recalculate"),
    "parameter": ("Parameter", "Parameter"),
    "value": ("Värde", "Value"),
    "stored": ("Lagrad", "Stored"),
    "recalculated": ("Omräknad", "Recalculated"),
    "assumptions_help": (
        "Ändra ett värde och räkna om: köpskattningen beräknas direkt med dina värden. "
        "De lagrade skattningarna ändras inte.",
        "Change a value and recalculate: the purchases estimate is computed at once with your values. "
        "The stored estimates are not changed.",
    ),
    "fixed_hint": ("tomt = fördelningen i antagandefilen", "empty = the distribution in the assumptions file"),
    "when": ("Tid", "Time"),
    "user": ("Användare", "User"),
    "action": ("Händelse", "Action"),
    "target": ("Mål", "Target"),
    "detail": ("Detalj", "Detail"),
    "export": ("Exportera", "Export"),
    "role": ("Roll", "Role"),
    "scope": ("Behörighet (län)", "Scope (counties)"),
    "add_user": ("Lägg till användare", "Add user"),
    "remove": ("Ta bort", "Remove"),
    "reset_password": ("Nytt lösenord", "Reset password"),
    "save": ("Spara", "Save"),
    "forbidden": ("Du har inte behörighet till den här sidan.", "You are not allowed to see this page."),
    "not_found": ("Sidan finns inte.", "Page not found."),
    "bad_request": ("Felaktig begäran", "Bad request"),
    "csrf_failed": (
        "Formuläret har gått ut eller kom inte från den här sidan. Ladda om och försök igen.",
        "The form expired or did not come from this site. Reload and try again.",
    ),
    "your_counties": ("Dina län", "Your counties"),
    "whole_country": ("hela landet", "the whole country"),
    "estimates_at": ("Skattningar beräknade", "Estimates computed"),
    "level_note": ("Intervall: {p} %", "Intervals: {p}%"),
    "unpublished": ("ej publicerad", "not published"),
    "no_networks": ("Inga nätverk i ditt område.", "No networks in your area."),
    "none": ("Inga.", "None."),
    "evaluate": ("Utvärdera", "Evaluate"),
    "effect": ("Effekt", "Effect"),
    "counties_col": ("Län", "Counties"),
    "indicator": ("Indikator", "Indicator"),
    "ad_days": ("annonsdagar", "ad-days"),
    "campaign_effect": (
        "Annonsdagar under kampanjen jämfört med vad modellen väntar sig utan den",
        "Ad-days during the campaign compared with what the model expects without it",
    ),
    "campaign_measures": ("Effekt per mått (kalibrerade intervall)", "Effect per measure (calibrated intervals)"),
    "measure": ("Mått", "Measure"),
    "verdict": ("Bedömning", "Verdict"),
    "kind_report": ("Rapport", "Report"),
    "kind_estimate": ("Skattningar", "Estimates"),
    "networks_with": ("Nätverk med indikatorn", "Networks with the indicator"),
    "compare_years": ("Jämför med förra året", "Compare with last year"),
    "change": ("Förändring", "Change"),
    "register_campaign": ("Registrera kampanj", "Register a campaign"),
    "register_campaign_help": (
        "Län som tvåsiffriga koder (t.ex. 05, 06), datum som ÅÅÅÅ-MM-DD. Bara dina egna län.",
        "Counties as two-digit codes (e.g. 05, 06), dates as YYYY-MM-DD. Only your own counties.",
    ),
    "register": ("Registrera", "Register"),
    "defendant": ("Tilltalad", "Defendant"),
    "defendants": ("Tilltalade (granskning och rättelser)", "Defendants (review and corrections)"),
    "defendants_help": (
        "Uppgifter som lästs ut ur domarna, en rad per tilltalad. Rätta en rad om utläsningen blev fel.",
        "Fields extracted from the judgments, one row per defendant. Correct a row where the extraction is wrong.",
    ),
    "corrected": ("Rättad", "Corrected"),
    "corrected_already": ("Raden har rättats tidigare.", "This row has been corrected before."),
    "correction_saved": ("Rättelsen sparad", "Correction saved"),
    "no_changes": ("Inga ändringar.", "No changes."),
    "save_correction": ("Spara rättelse", "Save correction"),
    "correct_action": ("Rätta", "Correct"),
    "yes": ("ja", "yes"),
    "dfield_verdict": ("Utgång", "Outcome"),
    "dfield_offence": ("Brott", "Offence"),
    "dfield_offence_dates": ("Brottsdatum", "Offence dates"),
    "dfield_defendant_age": ("Ålder", "Age"),
    "dfield_home_kommun": ("Hemkommun", "Home municipality"),
    "dfield_offence_kommun": ("Brottskommun", "Offence municipality"),
    "dfield_website": ("Webbplats", "Website"),
    "dfield_ad_used": ("Annons använd", "Ad used"),
    "dfield_day_fines": ("Dagsböter (antal)", "Day fines (number)"),
    "dfield_day_fine_amount": ("Dagsbotens belopp (kr)", "Day fine amount (SEK)"),
    "dfield_conditional_sentence": ("Villkorlig dom", "Conditional sentence"),
    "dfield_prison_months": ("Fängelse (månader)", "Prison (months)"),
    "dfield_plea": ("Inställning", "Plea"),
    "dhelp_verdict": ("convicted eller acquitted", "convicted or acquitted"),
    "dhelp_offence": ("kop, forsok, barn eller koppleri", "kop, forsok, barn or koppleri"),
    "dhelp_offence_dates": ("ÅÅÅÅ-MM-DD, flera med komma", "YYYY-MM-DD, several separated by commas"),
    "dhelp_defendant_age": ("15–110, tomt om okänd", "15-110, empty if unknown"),
    "dhelp_home_kommun": ("kommunkod, t.ex. 0580", "municipality code, e.g. 0580"),
    "dhelp_offence_kommun": ("kommunkod i dina län", "municipality code in your counties"),
    "dhelp_website": ("tomt om okänd", "empty if unknown"),
    "dhelp_ad_used": ("ja eller nej", "ja or nej (yes or no)"),
    "dhelp_day_fines": ("1–300, tomt om inga", "1-300, empty if none"),
    "dhelp_day_fine_amount": ("1–10000, tomt om inga", "1-10000, empty if none"),
    "dhelp_conditional_sentence": ("ja eller nej", "ja or nej (yes or no)"),
    "dhelp_prison_months": ("1–1200, tomt om inget", "1-1200, empty if none"),
    "dhelp_plea": ("erkänner, förnekar eller tomt", "erkänner, förnekar or empty"),
    "kind_crawl": ("Bevakning", "Crawl"),
    "crawl_now": ("Bevaka en källa nu", "Crawl a source now"),
    "source": ("Källa", "Source"),
    "start_crawl": ("Starta bevakning", "Start crawl"),
    "crawl_help": (
        "En genomgång av webbplatsen körs i bakgrunden; sidan visar förloppet. Ett avbrutet pass fortsätts.",
        "One pass over the site runs in the background; its page shows the progress. An interrupted pass is continued.",
    ),
    "crawl_needs_key": (
        "Bevakning från webben kräver installationens nyckel: starta med `lagesbild serve`.",
        "Crawling from the web needs the installation's key: start with `lagesbild serve`.",
    ),
    "pages_read": ("Lästa sidor", "Pages read"),
    "new_sightings": ("Nya observationer", "New sightings"),
    "degraded": ("försämrad", "degraded"),
    "compare_note": (
        "Lagrade skattningar för varje år; ingen förändring anges där något av åren saknar data.",
        "Stored estimates of each year; no change is given where either year has no data.",
    ),
    # the command line: `lagesbild link run`'s summary line
    "link_mode_full": ("full", "full"),
    "link_mode_incremental": ("inkrementell", "incremental"),
    "link_run_summary": (
        "{mode} länkning av {n_observations} observationer på {seconds} s: {n_site_ads} webbplatsannonser, "
        "{n_ads} annonser, {n_persons} personer ({n_suspected_fake} misstänkta bedrägerier utelämnade), "
        "{n_advertisers} annonsörer, {n_networks} nätverk",
        "{mode} linking of {n_observations} observations in {seconds} s: {n_site_ads} site ads, "
        "{n_ads} ads, {n_persons} persons ({n_suspected_fake} suspected scams left out), "
        "{n_advertisers} advertisers, {n_networks} networks",
    ),
    # The codes of a link explanation (signal names, weights, levels, evidence kinds) stay English
    # in the data; people read them through lagesbild.link.explain.term ("term_" + code).
    # signals
    "term_phones": ("telefonnummer", "phone numbers"),
    "term_emails": ("e-postadresser", "e-mail addresses"),
    "term_images": ("bilder", "photos"),
    "term_text": ("textlikhet", "text similarity"),
    "term_name": ("namn", "name"),
    "term_age": ("ålder", "age"),
    "term_template": ("mallband", "template tie"),
    # weights
    "term_decisive": ("avgörande", "decisive"),
    "term_veto": ("veto", "veto"),
    "term_network": ("nätverk", "network"),
    "term_none": ("ingen", "none"),
    # levels (also "network")
    "term_ad": ("annons", "ad"),
    "term_person": ("person", "person"),
    "term_advertiser": ("annonsör", "advertiser"),
    # evidence kinds on a chain (link.cluster.KINDS; also "text" and "template")
    "term_phone": ("telefon", "phone"),
    "term_email": ("e-post", "e-mail"),
    "term_image": ("bild", "photo"),
    "term_repost": ("återpublicering", "repost"),
}


def t(key: str, lang: str, **kw: object) -> str:
    """The text of ``key`` in ``lang`` (``sv`` or ``en``), formatted with ``kw``.

    Raises:
        KeyError: for an unknown key (a bug, caught by the tests).
    """
    sv, en = STRINGS[key]
    s = en if lang == "en" else sv
    return s.format(**kw) if kw else s


def label(prefix: str, name: str, lang: str) -> str:
    """The label of a data value (``label("q", "purchases", "sv")``), or the value itself if it has none."""
    key = f"{prefix}_{name}"
    return t(key, lang) if key in STRINGS else name


_NOTES_SV: tuple[tuple[str, str], ...] = (
    ("not published: not yet calibrated (its interval does not cover the truth in simulations)",
     "ej publicerad: metoden är inte kalibrerad (intervallet täcker inte sanningen i simuleringar)"),
    ("no data", "inga data"),
)  # fmt: skip


def note(text: str | None, lang: str) -> str:
    """A note from the estimate library (written in English) in ``lang``; unknown notes are kept as they are."""
    if not text or lang == "en":
        return text or ""
    for en, sv in _NOTES_SV:
        if text == en:
            return sv
        if text.startswith(en + ":"):
            return sv + text[len(en) :]
    return text
