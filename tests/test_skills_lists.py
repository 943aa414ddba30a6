"""Shopping and to-do lists."""

from __future__ import annotations

from skills_helpers import Conversation

from assistant.skills.lists import items_said, split_items


def test_add_read_remove() -> None:
    c = Conversation()
    r = c.say("add milk, eggs and some bread to the shopping list", "list_add",
              item="milk, eggs and some bread", list="shopping list")
    assert r.data["added"] == ["milk", "eggs", "bread"]
    assert c.key("add milk", "list_add", item="milk") == "list.already"
    r = c.say("what's on my shopping list", "list_read", list="shopping list")
    assert r.text.endswith("milk, eggs and bread.")
    r = c.say("take eggs off the list", "list_remove", item="eggs")
    assert r.data["removed"] == ["eggs"]
    assert c.key("remove cheese", "list_remove", item="cheese") == "list.not_on"
    assert c.say("read the list", "list_read").data["all"] == ["milk", "bread"]


def test_is_an_item_on_the_list_is_a_yes_or_a_no() -> None:
    """ "is milk on my shopping list" read the whole list out."""
    c = Conversation()
    c.say("add milk and eggs to the shopping list", "list_add", item="milk and eggs", list="shopping list")
    assert c.say("is milk on my shopping list", "list_read", item="milk").text == \
        "Yes, milk is on your shopping list."
    assert c.say("is there egg on my list", "list_read", item="egg").data["key"] == "list.has"
    assert c.say("is bread on the list", "list_read", item="bread").text == "No, bread isn't on your shopping list."
    r = c.say("are milk and bread on the list", "list_read", item="milk and bread")
    assert r.text == "Milk is on your shopping list, bread isn't."
    assert c.key("is milk on my to do list", "list_read", item="milk", list="to do list") == "list.has_not"


def test_lists_are_separate() -> None:
    c = Conversation()
    c.say("add call the plumber to my to do list", "list_add", item="call the plumber",
          list="to do list")
    c.say("add apples to the grocery list", "list_add", item="apples", list="grocery list")
    assert c.say("read my to-do list", "list_read", list="to-do list").data["all"] == \
        ["call the plumber"]
    assert c.say("shopping list", "list_read", list="shopping").data["all"] == ["apples"]


def test_clear_needs_a_yes() -> None:
    c = Conversation()
    assert c.key("clear the shopping list", "list_clear") == "list.already_empty"
    c.say("add tea", "list_add", item="tea")
    r = c.say("clear the shopping list", "list_clear", list="shopping list")
    assert r.data["key"] == "list.confirm_clear" and r.expects_answer and "1 item" in r.text
    assert c.key("no thanks", "negate") == "dialogue.kept"
    assert c.say("read it", "list_read").data["all"] == ["tea"]
    c.say("clear the shopping list", "list_clear", list="shopping list")
    assert c.key("yes please", "affirm") == "list.cleared"
    assert c.key("read it", "list_read") == "list.empty"


def test_add_without_item_asks() -> None:
    c = Conversation()
    r = c.say("add something to the shopping list", "list_add", list="shopping list")
    assert r.data["key"] == "list.ask_item" and r.expects_answer
    r = c.say("butter", "out_of_scope", 0.1)
    assert r.data["added"] == ["butter"]


def test_split_items() -> None:
    assert split_items("milk, eggs and some bread") == ["milk", "eggs", "bread"]
    assert split_items("a bag of rice plus the oranges") == ["bag of rice", "oranges"]
    assert split_items("Fish And Chips and milk") == ["fish and chips", "milk"]
    assert split_items("salt and vinegar crisps, mac and cheese and eggs") == [
        "salt and vinegar crisps", "mac and cheese", "eggs"]


def test_an_item_added_to_it_is_added_to_the_list_just_named() -> None:
    """After "what's on my to do list", "add call the plumber to it" adds "call the plumber"
    to that list (it added "call the plumber to it" to it)."""
    c = Conversation()
    c.say("what's on my to do list", "list_read", list="to do list")
    r = c.say("add call the plumber to it", "list_add", 0.85, item="call the plumber to it")
    assert r.data["added"] == ["call the plumber"] and r.data["list"] == "to-do"
    r = c.say("take eggs and milk off that list", "list_remove", 0.85,
              item="eggs and milk off that list")
    assert r.data["key"] == "list.not_on" and r.data["items"] == "eggs or milk"


def test_what_else_is_on_it_reads_the_list_just_named() -> None:
    c = Conversation()
    c.say("add milk to my to do list", "list_add", item="milk", list="to do list")
    r = c.say("what else is on it", "out_of_scope", 0.78)
    assert r.intent == "list_read" and r.data["list"] == "to-do" and r.data["all"] == ["milk"]
    assert c.say("read it to me", "out_of_scope", 0.99).intent == "list_read"
    c.say("what time is it", "datetime_query")
    assert c.say("read it to me", "out_of_scope", 0.99).intent == "out_of_scope"  # no list then


def test_typed_commas_say_where_items_end() -> None:
    assert items_said("apples bananas and pears", "Add apples, bananas and pears to my list.") == [
        "apples", "bananas", "pears"]
    assert items_said("peanut butter two loaves of bread and eggs",
                      "add peanut butter, 2 loaves of bread and eggs") == [
        "peanut butter", "two loaves of bread", "eggs"]
    assert items_said("eggs milk and bread", "add eggs milk and bread") == ["eggs milk", "bread"]
    assert items_said("milk", "add milk, please") == ["milk"]
    assert items_said("", "add, please") == []


def test_a_typed_list_of_items_through_the_real_door() -> None:
    """ "Add apples, bananas and pears to my shopping list" typed (or sent by Home Assistant)
    added "apples bananas" and "pears": the spoken words the NLU reads have no commas."""
    from assistant.config import Config
    from assistant.household.understander import live_understander
    from assistant.sentences.load import load

    door, _ = live_understander(Config().understanding, load())
    u = door.parse("Add apples, bananas and pears to my shopping list.")
    assert u.intent == "list_add" and u.written.startswith("Add apples,")
    r = Conversation().dm.respond(u)
    assert r.data["added"] == ["apples", "bananas", "pears"]
