"""The report's words in Swedish (default) and English.

Every fixed text a report shows comes from :data:`STRINGS`; :func:`tr` picks the language and
fills ``{placeholders}``. A test checks that both languages have the same keys.
"""

from __future__ import annotations

__all__ = ["LANGS", "STRINGS", "tr"]

LANGS = ("sv", "en")

STRINGS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Lägesbild: prostitution och sexköp i {area}",
        "subtitle": "{period}",
        "summary": "Sammanfattning",
        "key_figures": "Nyckeltal",
        "interval": "{level} % intervall",
        "change": "Förändring sedan förra lägesbilden ({period})",
        "no_previous": "Det finns ingen tidigare lägesbild för området att jämföra med.",
        "significant": "tydlig förändring",
        "not_significant": "inom slumpens variation",
        "ads": "Annonser",
        "ads_unit": "annonser",
        "ads_note": "olika annonser som setts på de bevakade webbplatserna",
        "ad_days": "Annonsdagar",
        "ad_days_unit": "annonsdagar",
        "ad_days_note": "dagar som en annons var publicerad",
        "purchases": "Sexköp per år (uppskattat)",
        "purchases_unit": "sexköp per år",
        "purchases_note": "via annonser på de bevakade webbplatserna",
        "buyers_12m": "Sexköpare senaste 12 månaderna",
        "buyers_ever": "Män som någon gång köpt sex",
        "buyers_unit": "män 18–65 år",
        "map_title": "Karta",
        "map_activity": "Annonsdagar per 10 000 invånare",
        "map_purchases": "Sexköp per år (uppskattat)",
        "map_demand": "Sexköpare senaste 12 mån.",
        "map_hidden": "Dolt (färre än {threshold})",
        "map_no_data": "Inga annonser",
        "orientation": "Orientering: {area} i Sverige",
        "series_title": "Annonsdagar per vecka",
        "series_unit": "annonsdagar",
        "campaign": "Kampanj",
        "area_table": "Per kommun",
        "area_table_national": "Per län",
        "col_area": "Område",
        "col_population": "Invånare",
        "col_ads": "Annonser",
        "col_ad_days": "Annonsdagar",
        "col_per_10k": "Annonsdagar per 10 000 inv.",
        "col_purchases": "Sexköp per år",
        "col_buyers": "Sexköpare 12 mån.",
        "total": "Totalt",
        "unplaced": "Okänd kommun",
        "estimates": "Uppskattningar",
        "purchases_section": "Sexköp via annonser",
        "purchases_text": (
            "Antalet sexköp per år uppskattas från annonsaktiviteten: {activity} {basis} under perioden "
            "({days} dagar) räknas om till ett år och multipliceras med antaganden om andelen äkta annonser, "
            "andelen arbetsdagar och antalet köpare per arbetsdag. Osäkerheten i varje antagande simuleras "
            "({draws} dragningar, frö {seed})."
        ),
        "basis_ad_days": "annonsdagar",
        "basis_person_days": "persondagar",
        "assumptions": "Antaganden",
        "col_input": "Antagande",
        "col_distribution": "Fördelning",
        "col_value": "Värde",
        "col_source": "Källa",
        "tornado_title": "Vilket antagande betyder mest?",
        "tornado_text": "Sexköp per år när ett antagande i taget sätts till sin 5- och 95-percentil.",
        "demand_section": "Efterfrågan: män som köper sex",
        "demand_text": (
            "Antalet män {band} år i området ({men}, {source}) gånger andelen som enligt nationella "
            "undersökningar köpt sex: {ever} någon gång, {last12} senaste 12 månaderna. Att tillämpa en "
            "nationell andel på ett län eller en kommun antar att män där köper sex lika ofta som i hela landet."
        ),
        "triangulation": "Jämförelse: annonser och köpare",
        "triangulation_text": (
            "Sexköp enligt annonserna ({supply}) jämfört med sexköp som områdets egna köpare gör ({demand}). "
            "Kvot {ratio}: {agreement}."
        ),
        "agreement_consistent": "bilderna stämmer överens inom osäkerheten",
        "agreement_supply lower": "annonserna visar färre köp än områdets köpare gör",
        "agreement_supply higher": "annonserna visar fler köp än områdets köpare gör (besökare)",
        "hidden_section": "Dold population (fångst–återfångst)",
        "verdicts_section": "Domar: köparnas ålder och resor",
        "organized_section": "Tecken på organiserad verksamhet",
        "flow_title": "Resor till köpen (domar)",
        "residence_title": "Var köpen sker och var köparna bor",
        "residence_note": (
            "Köp per år i kommunen (annonserna, fördelade efter annonsdagar) och köp i länet av män som bor i "
            "kommunen (samma köp fördelade efter var köparna i domarna bodde), med {level} %-intervall. "
            "Antagande: dömda köp liknar andra köp i var köparna bor. Besökarnas andel visas bara där kommunen har "
            "minst {threshold} domar."
        ),
        "residence_municipality": "Kommun",
        "residence_in": "Köp i kommunen",
        "residence_by": "Köp av kommunens invånare",
        "residence_visitors": "Besökarnas andel",
        "residence_outside": "Köpare som bor utanför länet",
        "flow_note": (
            "Pilar från köparens hemkommun till kommunen där köpet skedde, bredd efter antal domar; cirklar: köp i "
            "den egna kommunen. Flöden med färre än {threshold} domar ritas inte ut var för sig (tillsammans: {other})."
        ),
        "flow_travel": "resa till köpet, domar",
        "flow_own": "köp i den egna kommunen",
        "flow_other": "övriga flöden (ej utritade): {n}",
        "flow_none": "inget flöde med minst {threshold} domar",
        "organized_text": (
            "Sammanräknat från länkningen av annonser till personer och nätverk (flera personer som annonseras "
            "via samma kontaktuppgifter). Inga enskilda annonser, personer eller nätverk redovisas."
        ),
        "organized_note": (
            'Tal under {threshold} visas som <{threshold}; en andel vars täljare är dold visas som "..". '
            "Indikatorerna är tecken, inte bevis: de har kända falska positiva."
        ),
        "org_ads": "Länkade annonser i området (även misstänkt falska)",
        "org_persons": "Annonsprofiler i området (även misstänkt falska)",
        "org_networks": "Aktiva nätverk",
        "org_persons_in_networks": "Profiler i nätverk (andel av alla)",
        "org_ads_in_networks": "Annonser i nätverk (andel av alla)",
        "org_multi_municipality": "Nätverk aktiva i flera kommuner",
        "org_multi_county": "Nätverk aktiva i flera län",
        "org_indicators": "Annonser med indikatorer",
        "org_indicator": "Indikator",
        "org_share": "Andel",
        "ind_third_person": "Personen beskrivs i tredje person",
        "ind_young_wording": "Ordval som betonar ungdom",
        "ind_new_girls": '"Nya tjejer"',
        "ind_always_available": "Tillgänglig dygnet runt",
        "ind_unprotected_services": "Erbjuder sex utan kondom",
        "ind_hotel_only": "Endast hotell/växlande lägenheter",
        "ind_very_young_age": "Uppgiven ålder under 20",
        "ind_shared_phone": "Telefonnummer delat av flera",
        "ind_many_cities": "Många orter",
        "ind_foreign_language_template": "Mall på annat språk",
        "campaigns_section": "Kampanjer och deras effekt",
        "campaign_measure": "Mått",
        "campaign_effect": "Effekt",
        "campaign_interval": "Intervall",
        "campaign_verdict": "Bedömning",
        "campaigns_note": (
            "Effekten är skillnaden mot vad kontrollänen visar under samma veckor (difference-in-differences). "
            "Intervallen är kalibrerade med placebokampanjer på simulerade data; skattade köp följer "
            "persondagarna och ser inte en förändring av antalet köp per arbetsdag."
        ),
        "not_available": "Ännu inte tillgängligt: {what}",
        "why_hidden": "kräver länkning av annonser till personer",
        "why_verdicts": "domar har ännu inte extraherats",
        "why_organized": "kräver länkning av annonser till nätverk",
        "why_campaigns": "ingen registrerad kampanj i området under perioden som kan utvärderas",
        "support_section": "Stöd och hjälp",
        "support_text": (
            "Dit kan sexköpare och personer i prostitution vända sig. Länsstyrelsen kan lägga till lokala "
            "verksamheter."
        ),
        "audience_buyers": "sexköpare",
        "audience_sellers": "personer i prostitution",
        "audience_all": "alla",
        "audience_professionals": "yrkesverksamma",
        "methods_section": "Metodbilaga",
        "sources_section": "Datakällor",
        "suppression_note": (
            "Antal under {threshold} visas som <{threshold}; ytterligare celler visas som .. så att inget "
            "dolt antal kan räknas fram ur totaler."
        ),
        "generated": "Skapad {date} med lagesbild",
        "page": "Sida",
        "level_national": "Sverige",
        "highlight_purchases": "Uppskattningsvis {value} sexköp per år via de bevakade webbplatserna ({interval}).",
        "highlight_ads": "{ads} annonser under perioden, sammanlagt {ad_days} annonsdagar.",
        "highlight_buyers": "Omkring {value} män i området har köpt sex de senaste 12 månaderna ({interval}).",
        "highlight_top": "Mest aktivitet: {names}.",
        "change_up": "ökning",
        "change_down": "minskning",
        "change_same": "oförändrat",
        "followup_note": (
            "En förändring markeras som tydlig när den är större än vad slumpen ger vid samma underliggande "
            "nivå (p < 0,05); uppskattningar jämförs via den aktivitet de bygger på."
        ),
        "method_data": "Data",
        "method_data_text": (
            "Annonser på {sites} bevakade webbplatser lästes dagligen. Varje observation är en annons sedd en dag. "
            "Identifierare ersätts med nycklade pseudonymer innan de lagras; rapporten innehåller aldrig "
            "annonstext, bilder, telefonnummer eller pseudonymer."
        ),
        "method_activity": "Aktivitet",
        "method_activity_text": (
            "Annonsdagar: dagar som en annons var publicerad. En annons som syns i flera kommuner räknas i varje, "
            "så att tabellerna summerar."
        ),
        "method_purchases": "Sexköp",
        "method_purchases_text": (
            "sexköp per år = aktivitet per år × andel äkta × andel arbetsdagar × köpare per arbetsdag "
            "/ bevakad andel{per_person}. Median och {level} % intervall från {draws} Monte Carlo-dragningar "
            "(antaganden: '{name}')."
        ),
        "method_demand": "Efterfrågan",
        "method_demand_text": "Män {band} år ({source}) × andel som köpt sex (Wilson-intervall, n = {n}).",
        "method_suppression": "Skydd av små tal",
        "method_followup": "Uppföljning",
        "source_observations": "Annonsobservationer",
        "source_population": "Befolkning",
        "source_boundaries": "Kommun- och länsgränser",
        "source_survey": "Andelen män som köpt sex",
        "source_survey_detail": "Länsstyrelsen i Stockholms län, Prostitutionen i Sverige 2014 (rapport 2015:10)",
        "source_assumptions": "Antaganden",
        "no_data": "inga data",
        "no_data_highlight": (
            "Inga data: ingenting bevakades i {area} under perioden. Inga siffror från bevakningen redovisas "
            "och ingen förändring beräknas."
        ),
        "no_data_followup": "Ingen jämförelse med förra lägesbilden: perioden saknar data.",
        "simulated_banner": (
            "Simulerade uppgifter: den här lägesbilden bygger på en simulerad annonsmarknad (demonstration), "
            "inte på verkliga annonser. Siffrorna säger ingenting om verkligheten."
        ),
        "persons": "Personer som annonserar (uppskattat)",
        "persons_unit": "kvinnor",
        "persons_note": "länkade annonsprofiler, korrigerat för kvinnor som återkommer med ny profil",
        "coverage_text": (
            "{sites} bevakade webbplatser, {days} dagar med observationer ({first} – {last}), {observations} "
            "observationer, {judgments} domar."
        ),
        "method_coverage": "Dataunderlag",
        "method_allocation": "Fördelning på län och kommuner",
        "method_allocation_text": (
            "Sexköpen uppskattas en gång för hela Sverige. Varje län och kommun får samma simulering gånger sin "
            "andel av {basis}, så kommunerna summerar till länet och länen till riket, och en kommun har samma "
            "siffra i alla rapporter. Avrundade tal summerar inte alltid exakt."
        ),
        "method_hidden": "Dold population",
        "method_hidden_text": (
            "En fångst–återfångst-skattning av hur många som annonserar utan att synas beräknas men redovisas "
            "inte: i simuleringar täckte dess intervall inte det sanna antalet, så metoden är ännu inte kalibrerad."
        ),
        "why_hidden_unpublished": "redovisas inte förrän metoden är kalibrerad (se metodbilagan)",
        "population_fallback": "Befolkning från {used} används; befolkning för {year} finns inte inläst.",
        "assumption_display": "troligast {mode} ({level} % av sannolikheten mellan {low} och {high})",
        "assumption_uniform": "mellan {low} och {high}, alla värden lika troliga",
        "assumption_fixed": "fast värde {value}",
        "dist_beta": "betafördelning",
        "dist_triangular": "triangelfördelning",
        "dist_lognormal": "lognormalfördelning",
        "dist_normal": "normalfördelning",
        "dist_uniform": "likformig fördelning",
        "dist_fixed": "fast värde",
        "src_assumption": "Antagande; ingen publicerad uppgift.",
        "src_convention": "Konvention (ett val, inte en uppskattning).",
        "param_share_genuine": "Andel äkta annonser",
        "param_share_genuine_src": "Antagande: falska annonser förekommer, men ingen studie anger andelen.",
        "param_working_day_share": "Andel annonsdagar som är arbetsdagar",
        "param_working_day_share_src": "Antagande: annonser kan ligga ute även dagar utan arbete.",
        "param_clients_per_working_day": "Köpare per arbetsdag",
        "param_clients_per_working_day_src": "Antagande: ingen svensk undersökning anger talet.",
        "param_ads_per_person_day": "Annonser per person och dag",
        "param_ads_per_person_day_src": "Antagande: de flesta har en annons på en eller två webbplatser.",
        "param_monitored_share": "De bevakade webbplatsernas andel av marknaden",
        "param_monitored_share_src": "Konvention: 1, så att uppskattningen gäller de bevakade webbplatserna.",
        "param_prevalence_12m": "Andel män 18–65 som köpt sex senaste 12 månaderna",
        "param_prevalence_12m_src": (
            "Länsstyrelsen i Stockholms län, Prostitutionen i Sverige 2014 (rapport 2015:10); spridningen är ett "
            "antagande."
        ),
        "param_prevalence_ever": "Andel män 18–65 som någon gång köpt sex",
        "param_prevalence_ever_src": (
            "Länsstyrelsen i Stockholms län, Prostitutionen i Sverige 2014 (rapport 2015:10); spridningen är ett "
            "antagande."
        ),
        "param_purchases_per_buyer_per_year": "Köp per år per köpare",
        "param_purchases_per_buyer_per_year_src": "Antagande: ingen svensk undersökning anger talet.",
        "param_share_bought_in_area": "Andel av invånarnas köp som görs i området",
        "param_share_bought_in_area_src": "Konvention: 1 (alla köp av områdets invånare räknas).",
        "param_persona_return_share": "Andel annonsprofiler som är en återkommande kvinnas nya profil",
        "param_persona_return_share_src": "Antagande; ingen publicerad uppgift.",
        "param_split_share": "Andel personer som räknas två gånger",
        "param_split_share_src": "Antagande: länkningen av annonser missar högst några procent.",
        "source_campaigns": "Kampanjregister",
    },
    "en": {
        "title": "Situation picture: prostitution and sex purchase in {area}",
        "subtitle": "{period}",
        "summary": "Summary",
        "key_figures": "Key figures",
        "interval": "{level}% interval",
        "change": "Change since the previous report ({period})",
        "no_previous": "There is no earlier report for this area to compare with.",
        "significant": "clear change",
        "not_significant": "within random variation",
        "ads": "Ads",
        "ads_unit": "ads",
        "ads_note": "distinct ads seen on the monitored websites",
        "ad_days": "Ad-days",
        "ad_days_unit": "ad-days",
        "ad_days_note": "days an ad was online",
        "purchases": "Sex purchases per year (estimated)",
        "purchases_unit": "purchases per year",
        "purchases_note": "through ads on the monitored websites",
        "buyers_12m": "Buyers in the last 12 months",
        "buyers_ever": "Men who have ever bought sex",
        "buyers_unit": "men aged 18–65",
        "map_title": "Map",
        "map_activity": "Ad-days per 10,000 inhabitants",
        "map_purchases": "Sex purchases per year (estimated)",
        "map_demand": "Buyers, last 12 months",
        "map_hidden": "Hidden (fewer than {threshold})",
        "map_no_data": "No ads",
        "orientation": "Orientation: {area} in Sweden",
        "series_title": "Ad-days per week",
        "series_unit": "ad-days",
        "campaign": "Campaign",
        "area_table": "By municipality",
        "area_table_national": "By county",
        "col_area": "Area",
        "col_population": "Inhabitants",
        "col_ads": "Ads",
        "col_ad_days": "Ad-days",
        "col_per_10k": "Ad-days per 10,000 inh.",
        "col_purchases": "Purchases per year",
        "col_buyers": "Buyers 12 m.",
        "total": "Total",
        "unplaced": "Municipality unknown",
        "estimates": "Estimates",
        "purchases_section": "Sex purchases through ads",
        "purchases_text": (
            "Sex purchases per year are estimated from ad activity: {activity} {basis} in the period ({days} days) "
            "are scaled to a year and multiplied by assumptions on the share of genuine ads, the share of working "
            "days and the clients per working day. The uncertainty of every assumption is simulated "
            "({draws} draws, seed {seed})."
        ),
        "basis_ad_days": "ad-days",
        "basis_person_days": "person-days",
        "assumptions": "Assumptions",
        "col_input": "Assumption",
        "col_distribution": "Distribution",
        "col_value": "Value",
        "col_source": "Source",
        "tornado_title": "Which assumption matters most?",
        "tornado_text": "Purchases per year with one assumption at a time at its 5th and 95th percentile.",
        "demand_section": "Demand: men who buy sex",
        "demand_text": (
            "Men aged {band} in the area ({men}, {source}) times the share who, according to national "
            "surveys, have bought sex: {ever} ever, {last12} in the last 12 months. Applying a national share "
            "to a county or municipality assumes that men there buy sex as often as in the whole country."
        ),
        "triangulation": "Comparison: ads and buyers",
        "triangulation_text": (
            "Purchases according to the ads ({supply}) beside purchases made by the area's resident buyers "
            "({demand}). Ratio {ratio}: {agreement}."
        ),
        "agreement_consistent": "the two pictures agree within the uncertainty",
        "agreement_supply lower": "the ads show fewer purchases than the area's buyers make",
        "agreement_supply higher": "the ads show more purchases than the area's buyers make (visitors)",
        "hidden_section": "Hidden population (capture-recapture)",
        "verdicts_section": "Verdicts: buyers' ages and travel",
        "organized_section": "Indicators of organised activity",
        "flow_title": "Travel to the purchases (verdicts)",
        "residence_title": "Where purchases happen and where the buyers live",
        "residence_note": (
            "Purchases per year in the municipality (the ads, spread by ad-days) and purchases in the county by men "
            "living in the municipality (the same purchases spread by where the buyers in the judgments lived), with "
            "{level}% intervals. Assumption: judged purchases are like other purchases in where buyers live. The "
            "visitors' share is shown only where the municipality has at least {threshold} judgments."
        ),
        "residence_municipality": "Municipality",
        "residence_in": "Purchases here",
        "residence_by": "Purchases by residents",
        "residence_visitors": "Visitors' share",
        "residence_outside": "Buyers living outside the county",
        "flow_note": (
            "Arrows from the buyer's home municipality to the municipality of the purchase, width by the number "
            "of judgments; circles: purchases in the buyer's own municipality. Flows of fewer than {threshold} "
            "judgments are not drawn one by one (together: {other})."
        ),
        "flow_travel": "travel to the purchase, judgments",
        "flow_own": "purchase in own municipality",
        "flow_other": "other flows (not drawn): {n}",
        "flow_none": "no flow of at least {threshold} judgments",
        "organized_text": (
            "Aggregated from the linking of ads to persons and networks (several persons advertised through "
            "the same contacts). No individual ad, person or network is shown."
        ),
        "organized_note": (
            "Counts below {threshold} are shown as <{threshold}; a share whose numerator is hidden is shown as "
            '"..". The indicators are signs, not proof: they have known false positives.'
        ),
        "org_ads": "Linked ads in the area (suspected fakes included)",
        "org_persons": "Ad profiles in the area (suspected fakes included)",
        "org_networks": "Active networks",
        "org_persons_in_networks": "Profiles in networks (share of all)",
        "org_ads_in_networks": "Ads in networks (share of all)",
        "org_multi_municipality": "Networks active in several municipalities",
        "org_multi_county": "Networks active in several counties",
        "org_indicators": "Ads with indicators",
        "org_indicator": "Indicator",
        "org_share": "Share",
        "ind_third_person": "Person described in the third person",
        "ind_young_wording": "Wording stressing youth",
        "ind_new_girls": '"New girls"',
        "ind_always_available": "Available around the clock",
        "ind_unprotected_services": "Offers sex without a condom",
        "ind_hotel_only": "Hotels/changing apartments only",
        "ind_very_young_age": "Stated age under 20",
        "ind_shared_phone": "Phone number shared by several",
        "ind_many_cities": "Many cities",
        "ind_foreign_language_template": "Template in another language",
        "campaigns_section": "Campaigns and their effect",
        "campaign_measure": "Measure",
        "campaign_effect": "Effect",
        "campaign_interval": "Interval",
        "campaign_verdict": "Verdict",
        "campaigns_note": (
            "The effect is the difference from what the control counties show in the same weeks "
            "(difference-in-differences). Intervals are calibrated with placebo campaigns on simulated data; "
            "estimated purchases follow person-days and do not see a change in purchases per working day."
        ),
        "not_available": "Not yet available: {what}",
        "why_hidden": "needs ads linked to persons",
        "why_verdicts": "verdicts have not been extracted yet",
        "why_organized": "needs ads linked to networks",
        "why_campaigns": "no registered campaign in the area during the period that can be evaluated",
        "support_section": "Support and help",
        "support_text": (
            "Where buyers and people in prostitution can turn. The county administrative board can add local "
            "services."
        ),
        "audience_buyers": "buyers",
        "audience_sellers": "people in prostitution",
        "audience_all": "everyone",
        "audience_professionals": "professionals",
        "methods_section": "Methods appendix",
        "sources_section": "Data sources",
        "suppression_note": (
            "Counts below {threshold} are shown as <{threshold}; further cells are shown as .. so that no hidden "
            "count can be worked out from totals."
        ),
        "generated": "Generated {date} by lagesbild",
        "page": "Page",
        "level_national": "Sweden",
        "highlight_purchases": (
            "An estimated {value} sex purchases per year through the monitored websites ({interval})."
        ),
        "highlight_ads": "{ads} ads in the period, {ad_days} ad-days in all.",
        "highlight_buyers": "About {value} men in the area bought sex in the last 12 months ({interval}).",
        "highlight_top": "Most activity: {names}.",
        "change_up": "increase",
        "change_down": "decrease",
        "change_same": "unchanged",
        "followup_note": (
            "A change is marked as clear when it is larger than chance gives at the same underlying level "
            "(p < 0.05); estimates are compared through the activity they rest on."
        ),
        "method_data": "Data",
        "method_data_text": (
            "Ads on {sites} monitored websites were read daily. Each observation is one ad seen on one day. "
            "Identifiers are replaced by keyed pseudonyms before storage; the report never contains ad text, "
            "images, phone numbers or pseudonyms."
        ),
        "method_activity": "Activity",
        "method_activity_text": (
            "Ad-days: days an ad was online. An ad seen in several municipalities counts in each, so that the "
            "tables add up."
        ),
        "method_purchases": "Purchases",
        "method_purchases_text": (
            "purchases per year = activity per year × share genuine × working-day share × clients per working "
            "day / monitored share{per_person}. Median and {level}% interval from {draws} Monte Carlo draws "
            "(assumptions '{name}')."
        ),
        "method_demand": "Demand",
        "method_demand_text": "Men aged {band} ({source}) × share who bought sex (Wilson interval, n = {n}).",
        "method_suppression": "Protection of small numbers",
        "method_followup": "Follow-up",
        "source_observations": "Ad observations",
        "source_population": "Population",
        "source_boundaries": "Municipal and county boundaries",
        "source_survey": "Share of men who bought sex",
        "source_survey_detail": (
            "County Administrative Board of Stockholm, Prostitution in Sweden 2014 (report 2015:10)"
        ),
        "source_assumptions": "Assumptions",
        "no_data": "no data",
        "no_data_highlight": (
            "No data: nothing was monitored in {area} in the period. No figures from monitoring are reported "
            "and no change is computed."
        ),
        "no_data_followup": "No comparison with the previous report: the period has no data.",
        "simulated_banner": (
            "Simulated data: this report is made from a simulated ad market (a demonstration), not from real "
            "ads. Its figures say nothing about reality."
        ),
        "persons": "Persons advertising (estimated)",
        "persons_unit": "women",
        "persons_note": "linked ad profiles, corrected for women returning with a new profile",
        "coverage_text": (
            "{sites} monitored websites, {days} days with observations ({first} – {last}), {observations} "
            "observations, {judgments} judgments."
        ),
        "method_coverage": "Data",
        "method_allocation": "Allocation to counties and municipalities",
        "method_allocation_text": (
            "Purchases are estimated once for Sweden. Each county and municipality gets the same simulation "
            "times its share of the {basis}, so municipalities add up to their county and counties to Sweden, "
            "and a municipality has the same figure in every report. Rounded figures may not add up exactly."
        ),
        "method_hidden": "Hidden population",
        "method_hidden_text": (
            "A capture-recapture estimate of how many advertise without being seen is computed but not "
            "reported: in simulations its interval did not cover the true number, so the method is not yet "
            "calibrated."
        ),
        "why_hidden_unpublished": "not reported until the method is calibrated (see the methods appendix)",
        "population_fallback": "Population of {used} used; no population for {year} is loaded.",
        "assumption_display": "most likely {mode} ({level}% of the probability between {low} and {high})",
        "assumption_uniform": "between {low} and {high}, all values equally likely",
        "assumption_fixed": "fixed value {value}",
        "dist_beta": "beta distribution",
        "dist_triangular": "triangular distribution",
        "dist_lognormal": "log-normal distribution",
        "dist_normal": "normal distribution",
        "dist_uniform": "uniform distribution",
        "dist_fixed": "fixed value",
        "src_assumption": "Assumption; no published figure.",
        "src_convention": "Convention (a choice, not an estimate).",
        "param_share_genuine": "Share of genuine ads",
        "param_share_genuine_src": "Assumption: fake ads occur, but no study gives their share.",
        "param_working_day_share": "Share of ad days that are working days",
        "param_working_day_share_src": "Assumption: ads may stay online on days without work.",
        "param_clients_per_working_day": "Clients per working day",
        "param_clients_per_working_day_src": "Assumption: no Swedish survey gives the figure.",
        "param_ads_per_person_day": "Ads per person and day",
        "param_ads_per_person_day_src": "Assumption: most have one ad on one or two websites.",
        "param_monitored_share": "The monitored websites' share of the market",
        "param_monitored_share_src": "Convention: 1, so the estimate covers the monitored websites.",
        "param_prevalence_12m": "Share of men 18–65 who bought sex in the last 12 months",
        "param_prevalence_12m_src": (
            "County Administrative Board of Stockholm, Prostitution in Sweden 2014 (report 2015:10); the spread "
            "is an assumption."
        ),
        "param_prevalence_ever": "Share of men 18–65 who ever bought sex",
        "param_prevalence_ever_src": (
            "County Administrative Board of Stockholm, Prostitution in Sweden 2014 (report 2015:10); the spread "
            "is an assumption."
        ),
        "param_purchases_per_buyer_per_year": "Purchases per buyer and year",
        "param_purchases_per_buyer_per_year_src": "Assumption: no Swedish survey gives the figure.",
        "param_share_bought_in_area": "Share of residents' purchases made in the area",
        "param_share_bought_in_area_src": "Convention: 1 (every purchase by residents counts).",
        "param_persona_return_share": "Share of ad profiles that are a returning woman's new profile",
        "param_persona_return_share_src": "Assumption; no published figure.",
        "param_split_share": "Share of persons counted twice",
        "param_split_share_src": "Assumption: linking of ads misses at most a few percent.",
        "source_campaigns": "Campaign register",
    },
}


def tr(lang: str, key: str, **kw: object) -> str:
    """The text ``key`` in ``lang`` (English if the language is unknown), with ``kw`` filled in."""
    table = STRINGS.get(lang, STRINGS["en"])
    text = table.get(key, STRINGS["en"].get(key, key))
    return text.format(**kw) if kw else text
