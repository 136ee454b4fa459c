#!/usr/bin/env python3
"""The phone: an independent CalDAV client for the end-to-end tests, built on PyPI's caldav library.

Usage: phone.py URL USER PASSWORD COMMAND [ARGS...]

URL is the calendar collection's full URL, e.g. http://127.0.0.1:5232/dana/kept/.

Commands (each prints JSON on stdout, except raw, which prints the ICS text):
  list                          every VTODO in the collection, completed ones too
  complete UID HOW [--at ISO]   HOW: status    STATUS:COMPLETED only
                                     completed COMPLETED:<now, or --at> only
                                     percent   PERCENT-COMPLETE:100 only
                                     all       all three, as most phones do
  move UID ISO8601_UTC          DUE set to that instant, in UTC (DUE:...Z)
  delete UID
  edit UID [--summary TEXT] [--description TEXT]
  raw UID                       the object's ICS text as the server sent it

Writes (complete, move, edit, delete) GET the object first and send its ETag as If-Match, as a
phone would; --etag ETAG (before or after the command's arguments) sends that ETag instead, to
act on a stale copy. Other properties are kept as they are, SEQUENCE included (--bump-sequence
increments it).

On failure: a one-line message on stderr and exit status 1; 2 for bad usage, 3 when the server
answered 412 Precondition Failed (with --etag, or three times running: without it the phone reads
the task again and retries, as a phone does), 4 when no VTODO has that UID.

PHONE_DEBUG=1 in the environment turns on the caldav library's debug log and full tracebacks.
"""

import contextlib
import datetime
import inspect
import json
import logging
import os
import sys
import warnings
from urllib.parse import urlsplit

EXIT_FAILURE, EXIT_USAGE, EXIT_PRECONDITION, EXIT_NOT_FOUND = 1, 2, 3, 4


class PhoneError(Exception):
    def __init__(self, message, status=EXIT_FAILURE):
        super().__init__(message)
        self.status = status


def usage(message):
    raise PhoneError(message + " (usage: phone.py URL USER PASSWORD list|complete|move|delete|edit|raw ...)",
                     EXIT_USAGE)


if not os.environ.get("PHONE_DEBUG"):
    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.CRITICAL)
else:
    logging.basicConfig(level=logging.DEBUG)

try:
    import caldav
    import icalendar
    from caldav.elements import dav
except ImportError as e:  # pragma: no cover - environment problem
    print(f"phone: cannot import the caldav library ({e}); is PYTHONPATH set to .build/python?", file=sys.stderr)
    sys.exit(EXIT_FAILURE)

UTC = datetime.timezone.utc


# --- talking to the server ---------------------------------------------------------------------

def open_calendar(url, user, password):
    client = caldav.DAVClient(url=url, username=user or None, password=password or None)
    calendar = None
    if hasattr(client, "calendar"):
        try:
            calendar = client.calendar(url=url)
        except TypeError:
            calendar = None
    if calendar is None:
        calendar = caldav.Calendar(client=client, url=url)
    return calendar


def search_todos(calendar):
    """Every VTODO in the collection, completed ones included."""
    if hasattr(calendar, "get_todos"):
        return calendar.get_todos(include_completed=True)
    if hasattr(calendar, "todos"):
        return calendar.todos(include_completed=True)
    return calendar.search(todo=True, include_completed=True)


def load(obj):
    """GET the object: fresh data, and the ETag from the response."""
    obj.load()
    return obj


def vtodo_of(obj):
    cal = icalendar.Calendar.from_ical(ics_text(obj))
    for comp in cal.walk("VTODO"):
        return comp
    return None


def ics_text(obj):
    raw = getattr(obj, "raw_data", None)
    if isinstance(raw, (bytes, bytearray, memoryview)) and raw:
        return bytes(raw).decode("utf-8")
    data = obj.get_data() if hasattr(obj, "get_data") else obj.data
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return data or ""


def find(calendar, uid):
    for obj in search_todos(calendar):
        load(obj)
        comp = vtodo_of(obj)
        if comp is not None and str(comp.get("UID", "")) == uid:
            return obj
    raise PhoneError(f"no VTODO with UID {uid!r} in {calendar.url}", EXIT_NOT_FOUND)


def etag_of(obj):
    etag = getattr(obj, "etag", None)
    if etag is None:
        etag = getattr(obj, "props", {}).get(dav.GetEtag.tag)
    return etag


def force_etag(obj, etag):
    """Use ETAG as the If-Match of the next write instead of the one the GET returned."""
    obj.props[dav.GetEtag.tag] = etag


def href_of(obj):
    return urlsplit(str(obj.url)).path


@contextlib.contextmanager
def editing(obj):
    """The VTODO of OBJ for editing, through whichever API this caldav version has."""
    if hasattr(obj, "edit_icalendar_component"):
        with obj.edit_icalendar_component() as comp:
            yield comp
    else:
        cal = obj.icalendar_instance
        comp = next(c for c in cal.subcomponents if c.name == "VTODO")
        yield comp
        obj.icalendar_instance = cal


def save(obj, options):
    """PUT with If-Match (the cached ETag); 412 becomes EXIT_PRECONDITION."""
    kwargs = {}
    try:
        if "increase_seqno" in inspect.signature(obj.save).parameters:
            kwargs["increase_seqno"] = options["bump_sequence"]
        if "precondition" in inspect.signature(obj.save).parameters:
            kwargs["precondition"] = "etag"
    except (TypeError, ValueError):
        pass
    try:
        obj.save(**kwargs)
    except Exception as e:  # the library's ETagMismatchError and friends
        if is_precondition_failure(e):
            raise PhoneError(f"412 Precondition Failed: the server's copy of {href_of(obj)} is not the one "
                             f"this phone had", EXIT_PRECONDITION) from e
        raise


def is_precondition_failure(e):
    name = type(e).__name__
    text = str(e)
    return "Mismatch" in name or "412" in text or "Precondition" in text or "Precondition" in name


# --- reading a VTODO ---------------------------------------------------------------------------

def ics_value(prop):
    """The property's value as it is written in the ICS text."""
    if prop is None:
        return None
    value = prop.to_ical()
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def as_utc_iso(prop):
    """ISO 8601 UTC for a date-time property; None for a date or a floating time."""
    if prop is None:
        return None
    dt = getattr(prop, "dt", None)
    if not isinstance(dt, datetime.datetime) or dt.tzinfo is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def text(comp, name):
    value = comp.get(name)
    return None if value is None else str(value)


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def categories(comp):
    cats = []
    for prop in as_list(comp.get("CATEGORIES")):
        inner = getattr(prop, "cats", None)
        if inner is None:
            inner = [c for c in ics_value(prop).split(",") if c]
        cats.extend(str(c) for c in inner)
    return cats


def integer(comp, name):
    value = comp.get(name)
    if value is None:
        return None
    try:
        return int(str(ics_value(value) if hasattr(value, "to_ical") else value))
    except ValueError:
        return None


def describe(obj):
    comp = vtodo_of(obj)
    due = comp.get("DUE")
    completed = comp.get("COMPLETED")
    due_params = getattr(due, "params", {}) if due is not None else {}
    return {
        "uid": text(comp, "UID"),
        "summary": text(comp, "SUMMARY"),
        "description": text(comp, "DESCRIPTION"),
        "due": ics_value(due),
        "due_tzid": due_params.get("TZID"),
        "due_is_date": due is not None and not isinstance(getattr(due, "dt", None), datetime.datetime),
        "due_utc": as_utc_iso(due),
        "status": text(comp, "STATUS"),
        "completed": ics_value(completed),
        "completed_utc": as_utc_iso(completed),
        "percent": integer(comp, "PERCENT-COMPLETE"),
        "categories": categories(comp),
        "related_to": [str(r) for r in as_list(comp.get("RELATED-TO"))],
        "sequence": integer(comp, "SEQUENCE"),
        "href": href_of(obj),
        "url": str(obj.url),
        "etag": etag_of(obj),
    }


# --- commands ----------------------------------------------------------------------------------

def parse_instant(text_):
    value = text_.strip()
    if value.endswith("Z") or value.endswith("z"):
        value = value[:-1] + "+00:00"
    try:
        dt = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise PhoneError(f"not an ISO 8601 date-time: {text_!r}", EXIT_USAGE)
    if dt.tzinfo is None:
        raise PhoneError(f"give the time zone (e.g. a trailing Z): {text_!r}", EXIT_USAGE)
    return dt.astimezone(UTC).replace(microsecond=0)


def set_property(comp, name, value):
    """Replace NAME's value, keeping its place among the properties."""
    if name in comp:
        comp[name] = value
    else:
        comp.add(name, value)


def write_result(obj, action):
    put_etag = etag_of(obj)  # from the PUT response's ETag header; None when the server sent none
    load(obj)
    result = {"action": action, "put_etag": put_etag}
    result.update(describe(obj))
    return result


def cmd_list(calendar, args, options):
    if args:
        usage("list takes no arguments")
    items = []
    for obj in search_todos(calendar):
        load(obj)
        if vtodo_of(obj) is not None:
            items.append(describe(obj))
    items.sort(key=lambda item: (item["uid"] or ""))
    return items


def prepare(calendar, uid, options):
    obj = find(calendar, uid)
    if options["etag"] is not None:
        force_etag(obj, options["etag"])
    return obj


def cmd_complete(calendar, args, options):
    if len(args) != 2:
        usage("complete UID status|completed|percent|all [--at ISO8601]")
    uid, how = args
    if how not in ("status", "completed", "percent", "all"):
        usage(f"complete: unknown HOW {how!r}")
    at = parse_instant(options["at"]) if options["at"] else datetime.datetime.now(UTC).replace(microsecond=0)
    obj = prepare(calendar, uid, options)
    with editing(obj) as comp:
        if how in ("status", "all"):
            set_property(comp, "STATUS", icalendar.vText("COMPLETED"))
        if how in ("completed", "all"):
            set_property(comp, "COMPLETED", icalendar.vDDDTypes(at))
        if how in ("percent", "all"):
            set_property(comp, "PERCENT-COMPLETE", icalendar.vInt(100))
    save(obj, options)
    return write_result(obj, "complete " + how)


def cmd_move(calendar, args, options):
    if len(args) != 2:
        usage("move UID ISO8601_UTC")
    uid, when = args
    at = parse_instant(when)
    obj = prepare(calendar, uid, options)
    with editing(obj) as comp:
        set_property(comp, "DUE", icalendar.vDDDTypes(at))
    save(obj, options)
    return write_result(obj, "move")


def cmd_edit(calendar, args, options):
    if len(args) != 1 or (options["summary"] is None and options["description"] is None):
        usage("edit UID --summary TEXT [--description TEXT]")
    obj = prepare(calendar, args[0], options)
    with editing(obj) as comp:
        if options["summary"] is not None:
            set_property(comp, "SUMMARY", icalendar.vText(options["summary"]))
        if options["description"] is not None:
            set_property(comp, "DESCRIPTION", icalendar.vText(options["description"]))
    save(obj, options)
    return write_result(obj, "edit")


def cmd_delete(calendar, args, options):
    if len(args) != 1:
        usage("delete UID")
    obj = prepare(calendar, args[0], options)
    href, etag = href_of(obj), etag_of(obj)
    try:
        if etag:
            obj.delete(if_match=etag)
        else:
            obj.delete()
    except TypeError:  # a caldav without delete(if_match=...)
        obj.client.delete(str(obj.url), {"If-Match": etag} if etag else {})
    except Exception as e:
        if is_precondition_failure(e):
            raise PhoneError(f"412 Precondition Failed: the server's copy of {href} is not the one "
                             f"this phone had", EXIT_PRECONDITION) from e
        raise
    return {"action": "delete", "uid": args[0], "href": href, "etag": etag, "deleted": True}


def cmd_raw(calendar, args, options):
    if len(args) != 1:
        usage("raw UID")
    return ics_text(find(calendar, args[0]))


COMMANDS = {"list": cmd_list, "complete": cmd_complete, "move": cmd_move, "edit": cmd_edit,
            "delete": cmd_delete, "raw": cmd_raw}
VALUED = {"--at": "at", "--summary": "summary", "--description": "description", "--etag": "etag"}


def parse(argv):
    if len(argv) < 4:
        usage("too few arguments")
    url, user, password, command = argv[:4]
    if command not in COMMANDS:
        usage(f"unknown command {command!r}")
    options = {"at": None, "summary": None, "description": None, "etag": None, "bump_sequence": False}
    args = []
    rest = argv[4:]
    i = 0
    while i < len(rest):
        word = rest[i]
        if word in VALUED:
            if i + 1 >= len(rest):
                usage(f"{word} needs a value")
            options[VALUED[word]] = rest[i + 1]
            i += 2
        elif word.startswith("--") and "=" in word and word.split("=", 1)[0] in VALUED:
            key, value = word.split("=", 1)
            options[VALUED[key]] = value
            i += 1
        elif word == "--bump-sequence":
            options["bump_sequence"] = True
            i += 1
        else:
            args.append(word)
            i += 1
    return url, user, password, command, args, options


def main(argv):
    try:
        url, user, password, command, args, options = parse(argv)
        calendar = open_calendar(url, user, password)
        # A phone whose write meets a change made meanwhile (412) reads the task again and makes
        # its change over the new copy, as DAVx5 and its kin do — unless told to act on a stale
        # copy (--etag), which is the point of that option.
        for attempt in range(3):
            try:
                result = COMMANDS[command](calendar, args, options)
                break
            except PhoneError as e:
                if e.status != EXIT_PRECONDITION or options["etag"] is not None or attempt == 2:
                    raise
        if command == "raw":
            sys.stdout.write(result)
        else:
            json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        return 0
    except PhoneError as e:
        print(f"phone: {e}", file=sys.stderr)
        return e.status
    except Exception as e:
        if os.environ.get("PHONE_DEBUG"):
            raise
        message = " ".join(str(e).split()) or "(no message)"
        print(f"phone: {type(e).__name__}: {message}"[:2000], file=sys.stderr)
        return EXIT_PRECONDITION if is_precondition_failure(e) else EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
