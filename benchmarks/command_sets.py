"""Test commands for the command-accuracy benchmarks, written by hand apart from the templates.

``BUILTIN``: Hearth's own intents, phrased the way people say them (some phrasings no template
holds: those count as misses for every recognizer). ``THERMOSTAT``: a custom-intent domain Hearth
does not ship (a YAML file as a household would write it, 5 slots) and ``CUSTOM``, 100+ commands
for it written apart from its templates. Each line is ``intent | sentence``; the truth of a
sentence is what its own text is understood as (templates first, then the NLU), and it must be
the intent on its line (else it is outside the templates: reported as coverage).
"""

from __future__ import annotations

THERMOSTAT = """\
language: en
intents:
  SetTemperature:
    data:
      - sentences:
          - "set [the] {room} [temperature] to {degrees} [degrees]"
          - "(make|put|keep) [the] {room} [at] {degrees} degrees"
          - "(heat|warm) [up] [the] {room} to {degrees} [degrees]"
          - "[i want] [the] {room} [at] {degrees} degrees [please]"
          - "change [the] {room} [temperature] to {degrees} [degrees]"
    response: "Setting the {room} to {degrees} degrees."
  SetMode:
    data:
      - sentences:
          - "(switch|set|put|turn) [the] (heating|thermostat|heat pump) (to|in|on|into) {mode} [mode]"
          - "{mode} mode [please]"
          - "(use|go to|activate) {mode} mode"
    response: "Thermostat in {mode} mode."
  Boost:
    data:
      - sentences:
          - "boost [the] [heating in the] {room} [heating] for {hours} (hour|hours)"
          - "give [the] {room} a {hours} hour boost"
          - "boost [the] heat in [the] {room} for {hours} (hour|hours)"
    response: "Boosting the {room} for {hours} hours."
  FanSpeed:
    data:
      - sentences:
          - "(set|turn|put) [the] fan [speed] (to|on) {speed}"
          - "fan [speed] {speed} [please]"
          - "(make|run) the fan {speed}"
    response: "Fan on {speed}."
  RoomTemperature:
    data:
      - sentences:
          - "(what's|what is) the temperature in [the] {room}"
          - "how (warm|cold|hot) is [it in] the {room}"
          - "is the {room} (warm|cold) [enough]"
    response: "Checking the {room}."
lists:
  room:
    values: [bedroom, living room, kitchen, office, bathroom, hallway, guest room,
             {in: "(kids room|kids' room|nursery)", out: nursery}]
  degrees: {range: {from: 10, to: 30}}
  hours: {range: {from: 1, to: 6}}
  mode: {values: [eco, comfort, away, {in: "(frost|frost protection)", out: frost}, {in: "(holiday|vacation)", out: holiday}]}
  speed: {values: [low, medium, high, {in: "(auto|automatic)", out: auto}]}
"""

BUILTIN = """
timer_set | set a timer for twelve minutes
timer_set | start a five minute timer for the eggs
timer_set | could you set a timer for forty five seconds
timer_set | set a pasta timer for nine minutes
timer_set | i need a timer for an hour and a half
timer_set | twenty minute timer please
timer_set | set a timer for two hours and fifteen minutes
timer_set | start a timer for three minutes
timer_set | set a timer for half an hour
timer_set | can you set a ten minute timer
timer_query | how much time is left on the timer
timer_query | how long is left on the pasta timer
timer_query | how's my timer doing
timer_query | what timers are running
timer_cancel | cancel the pasta timer
timer_cancel | stop the timer
timer_cancel | cancel all timers
timer_cancel | get rid of the egg timer
timer_pause | pause the timer
timer_pause | resume my timer
timer_change | make it fifteen minutes instead
timer_change | add five minutes to the timer
alarm_set | set an alarm for six thirty am
alarm_set | wake me up at seven tomorrow
alarm_set | set an alarm for seven fifteen in the morning
alarm_set | wake me at quarter past six
alarm_set | set an alarm for eight o'clock
alarm_set | alarm for five forty five am
alarm_set | i need to get up at six tomorrow
alarm_set | set my alarm for nine pm
alarm_query | what alarms do i have
alarm_query | when is my alarm
alarm_query | is my alarm set
alarm_cancel | cancel my alarm
alarm_cancel | delete the seven o'clock alarm
alarm_cancel | remove all alarms
list_add | add bananas to my shopping list
list_add | put eggs on the shopping list
list_add | add olive oil to the grocery list
list_add | put call the plumber on my to do list
list_add | add milk to my list
list_add | i need to buy batteries
list_remove | remove milk from my shopping list
list_remove | take eggs off the list
list_read | what's on my shopping list
list_read | read me my to do list
list_read | what's on the list
list_read | what do i need to buy
list_clear | clear the shopping list
list_clear | empty my grocery list
reminder_set | remind me to call grandma at five pm
reminder_set | remind me to take out the trash tomorrow
reminder_set | remind me in ten minutes to check the oven
reminder_set | remind me to water the plants tonight
reminder_query | what are my reminders
reminder_query | do i have any reminders today
memory_remember | remember that my bike is in the garage
memory_remember | remember that the spare key is under the mat
memory_recall | where is my bike
memory_recall | where did i put my passport
memory_forget | forget what i said about the spare key
lights_on | turn on the kitchen lights
lights_on | turn on the bedroom light
lights_on | switch on the living room lights
lights_on | turn the lights on in the office
lights_off | turn off the kitchen lights
lights_off | switch off the bathroom light
lights_off | turn the hallway lights off
lights_off | kill the lights
volume_set | set the volume to four
volume_set | volume to seventy percent
volume_up | volume up
volume_up | turn it up
volume_down | make it quieter
volume_down | turn down the volume
volume_mute | mute
datetime_query | what time is it
datetime_query | what's the date today
datetime_query | what day is it
time_until | how many days until christmas
time_until | how long until new year's eve
weather_query | what's the weather like tomorrow
weather_query | will it rain today
math_calculate | what's twelve times seven
math_calculate | what is one hundred divided by four
math_calculate | what's the square root of eighty one
math_calculate | how much is fifteen percent of two hundred
unit_convert | convert ten miles to kilometers
unit_convert | how many cups in a liter
unit_convert | how many ounces are in three pounds
stop | stop
cancel | never mind
repeat | say that again
help | what can you do
affirm | yes please
negate | no thanks
greeting | good morning
thanks | thank you very much
identity | what's your name
joke | tell me a joke
news_query | what's the news
play_music | play some music
"""

CUSTOM = """
SetTemperature | set the bedroom to twenty one degrees
SetTemperature | set the living room temperature to nineteen
SetTemperature | heat the kitchen to twenty two degrees
SetTemperature | make the office twenty degrees
SetTemperature | set the kids room to eighteen degrees
SetTemperature | heat the bedroom to twenty three
SetTemperature | set the bathroom to twenty four degrees
SetTemperature | put the hallway at sixteen degrees
SetTemperature | keep the guest room at fifteen degrees
SetTemperature | warm up the living room to twenty two degrees
SetTemperature | change the office temperature to nineteen degrees
SetTemperature | i want the kitchen at twenty degrees
SetTemperature | set the nursery to twenty degrees
SetTemperature | make the bathroom twenty five degrees
SetTemperature | set the guest room temperature to seventeen degrees
SetTemperature | heat the hallway to eighteen
SetTemperature | warm the bedroom to nineteen degrees
SetTemperature | set the office to twenty two
SetTemperature | put the kitchen at twenty one degrees
SetTemperature | the living room at twenty degrees please
SetTemperature | change the bedroom to eighteen degrees
SetTemperature | set the kitchen to thirty degrees
SetTemperature | make the living room twenty three degrees
SetTemperature | keep the office at eighteen degrees
SetTemperature | heat the guest room to twenty degrees
SetTemperature | set the hallway temperature to fourteen
SetTemperature | warm up the bathroom to twenty six degrees
SetTemperature | set the bedroom temperature to twelve degrees
SetTemperature | put the nursery at nineteen degrees
SetTemperature | heat the office to twenty one degrees
SetTemperature | could you set the kitchen to nineteen degrees
SetTemperature | please make the bedroom a bit warmer
SetTemperature | bump the living room up to twenty two
SetMode | switch the heating to eco mode
SetMode | put the thermostat on away
SetMode | comfort mode please
SetMode | set the heating to frost protection
SetMode | put the heat pump in comfort mode
SetMode | switch the thermostat to holiday mode
SetMode | turn the heating to eco
SetMode | eco mode
SetMode | away mode please
SetMode | use vacation mode
SetMode | go to comfort mode
SetMode | activate frost mode
SetMode | set the thermostat to away mode
SetMode | put the heating into eco mode
SetMode | switch the heat pump to frost mode
SetMode | set the heat pump to comfort
SetMode | holiday mode please
SetMode | turn the thermostat on eco mode
SetMode | switch the heating into away mode
SetMode | activate comfort mode
SetMode | we're going on vacation so set the heating to holiday mode
SetMode | put it in eco mode
Boost | boost the bathroom for two hours
Boost | boost the living room heating for one hour
Boost | boost the bedroom for three hours
Boost | give the kitchen a two hour boost
Boost | boost the heat in the office for one hour
Boost | boost the heating in the guest room for four hours
Boost | boost the nursery for an hour
Boost | give the bathroom a one hour boost
Boost | boost the hallway heating for two hours
Boost | boost the kitchen for six hours
Boost | boost the heat in the bedroom for two hours
Boost | give the living room a three hour boost
Boost | boost the office heating for five hours
Boost | boost the heating in the bathroom for one hour
Boost | can you boost the bedroom for two hours
Boost | boost the kids room for three hours
FanSpeed | set the fan speed to high
FanSpeed | turn the fan to low
FanSpeed | fan speed medium
FanSpeed | put the fan on auto
FanSpeed | make the fan high
FanSpeed | run the fan low
FanSpeed | set the fan to medium
FanSpeed | fan high please
FanSpeed | turn the fan speed to automatic
FanSpeed | set the fan to low
FanSpeed | fan low
FanSpeed | make the fan medium
FanSpeed | put the fan speed on high
FanSpeed | set fan speed to auto
FanSpeed | could you turn the fan down to low
FanSpeed | fan on medium please
RoomTemperature | what's the temperature in the kitchen
RoomTemperature | what is the temperature in the bedroom
RoomTemperature | how warm is the living room
RoomTemperature | how cold is it in the office
RoomTemperature | is the bathroom warm enough
RoomTemperature | is the nursery cold
RoomTemperature | what's the temperature in the guest room
RoomTemperature | how hot is the kitchen
RoomTemperature | how warm is it in the hallway
RoomTemperature | is the bedroom warm
RoomTemperature | what is the temperature in the office
RoomTemperature | how cold is the bathroom
RoomTemperature | is the living room cold enough
RoomTemperature | what's the temperature in the nursery
RoomTemperature | how warm is the bedroom right now
RoomTemperature | tell me the temperature in the kitchen
"""


def parse(block: str) -> list[tuple[str, str]]:
    """``intent | sentence`` lines -> (intent, sentence)."""
    out = []
    for line in block.strip().splitlines():
        intent, _, text = line.partition("|")
        out.append((intent.strip(), text.strip()))
    return out
