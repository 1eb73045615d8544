"""A small corpus for the Spark job's tests, written for them: four events over a week
in German and English, one wire copy republished with edits, and a WARC file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_sources_warc import write_warc

# (event, source, date, title, text)
REPORTS = [
    (
        "bridge",
        "courier.example",
        "2024-05-02 09:00",
        "Bridge over the Varna river closes after cracks found",
        "Engineers closed the Kalinov bridge over the Varna river on Thursday after inspectors "
        "found cracks in two support pillars. Mayor Petra Ilic said the crossing would stay "
        "shut for at least six weeks while repairs costing 4.2 million euros are planned. "
        "Around 18,000 vehicles use the bridge every day.",
    ),
    (
        "bridge",
        "daily.example",
        "2024-05-03 11:30",
        "Kalinov bridge shut for weeks over damaged pillars",
        "The Kalinov bridge across the Varna will remain closed for six weeks, mayor Petra "
        "Ilic announced, after cracks were discovered in two pillars. Repairs are expected to "
        "cost 4.2 million euros; commuters face long detours as 18,000 cars a day must now "
        "cross elsewhere.",
    ),
    (
        "bridge",
        "wire-reprint.example",
        "2024-05-04 07:15",
        "Varna bridge closed: cracks in two pillars",
        "Engineers closed the Kalinov bridge over the Varna river on Thursday after inspectors "
        "found cracks in two support pillars. Mayor Petra Ilic said the crossing would stay "
        "shut for at least six weeks while repairs costing 4.2 million euros are planned. "
        "Around 18,000 vehicles cross the bridge on a normal day.",
    ),
    (
        "strike",
        "daily.example",
        "2024-05-03 08:00",
        "Dock workers at Port Elling walk out over pay",
        "Dock workers at Port Elling began a 48-hour strike on Friday, demanding a pay rise of "
        "nine percent. Union leader Marta Sokol said ships were already queuing outside the "
        "harbour. The port operator offered five percent.",
    ),
    (
        "strike",
        "courier.example",
        "2024-05-05 16:00",
        "Port Elling strike ends with deal on pay",
        "The two-day strike of dock workers at Port Elling ended on Sunday after the port "
        "operator and the union led by Marta Sokol agreed on a pay rise of seven percent. "
        "The queue of ships outside the harbour is expected to clear by Tuesday.",
    ),
    (
        "flood",
        "bote.example",
        "2024-05-06 10:00",
        "Hochwasser in Passau: Altstadt unter Wasser",
        "Nach tagelangem Regen ist die Donau in Passau über die Ufer getreten. Die Altstadt "
        "steht teilweise unter Wasser, Oberbürgermeister Jürgen Dupper rief den "
        "Katastrophenfall aus. Rund 1.200 Anwohner mussten ihre Wohnungen verlassen, die "
        "Feuerwehr ist mit 400 Kräften im Einsatz.",
    ),
    (
        "flood",
        "zeitung.example",
        "2024-05-07 09:30",
        "Passau ruft Katastrophenfall aus",
        "In Passau hat die Stadt wegen des Donau-Hochwassers den Katastrophenfall ausgerufen. "
        "Oberbürgermeister Jürgen Dupper sagte, 1.200 Menschen seien aus der überfluteten "
        "Altstadt in Sicherheit gebracht worden. 400 Einsatzkräfte der Feuerwehr kämpfen "
        "gegen das Wasser.",
    ),
    (
        "flood",
        "courier.example",
        "2024-05-07 14:00",
        "Passau declares disaster as Danube floods old town",
        "The Bavarian city of Passau has declared a disaster after the Danube flooded its old "
        "town. Mayor Jürgen Dupper said 1,200 residents had been evacuated, and 400 "
        "firefighters were fighting the water. Rain is expected to ease on Thursday.",
    ),
    (
        "election",
        "bote.example",
        "2024-05-08 18:00",
        "Bürgermeisterwahl in Lindau: Stichwahl zwischen Kerstin Albrecht und Tobias Renz",
        "Bei der Bürgermeisterwahl in Lindau hat keiner der Kandidaten die absolute Mehrheit "
        "erreicht. Kerstin Albrecht kam auf 41 Prozent, Tobias Renz auf 38 Prozent. Die "
        "Stichwahl findet in zwei Wochen statt, die Wahlbeteiligung lag bei 52 Prozent.",
    ),
]


def write_inputs(folder: Path) -> dict[str, str]:
    """A JSONL file of the reports and a WARC file of three pages; returns url -> event
    for the JSONL reports."""
    folder.mkdir(parents=True, exist_ok=True)
    events = {}
    with (folder / "reports.jsonl").open("w", encoding="utf-8") as out:
        for n, (event, source, date, title, text) in enumerate(REPORTS):
            url = f"https://{source}/{event}/{n}"
            events[url] = event
            record = {
                "title": title,
                "maintext": text,
                "url": url,
                "source_domain": source,
                "date_publish": f"{date}:00",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    write_warc(folder / "pages.warc.gz")
    return events
