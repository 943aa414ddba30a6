"""A household's custom-intents file the tests share (Home Assistant's custom-sentences layout)."""

GARDEN = """\
language: en
intents:
  WaterGarden:
    data:
      - sentences:
          - "water [the] {zone} for {minutes} minutes"
          - "(start|run) the {zone} sprinkler[s]"
    response: "Watering the {zone} for {minutes} minutes."
    command: ["/bin/echo", "water", "{zone}", "{minutes}"]
lists:
  zone: {values: [tomatoes, lawn, {in: "rose bed", out: roses}]}
  minutes: {range: {from: 1, to: 60}}
"""
