#!/usr/bin/env python3
"""Writes Sources/Web/Resources/openapi.json, the API's OpenAPI 3 description.

The document is generated from this script so that shared shapes (errors, bookings)
are written once; WebTests checks that it lists exactly the daemon's routes.
Run: python3 scripts/openapi.py
"""
import json, pathlib

def ref(name): return {"$ref": f"#/components/schemas/{name}"}
def err(desc): return {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
def ok(schema, desc="OK"): return {"description": desc, "content": {"application/json": {"schema": schema}}}
def body(schema): return {"required": True, "content": {"application/json": {"schema": schema}}}
def lst(item): return {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ref(item)}}}
def q(name, desc, schema=None): return {"name": name, "in": "query", "required": False, "description": desc, "schema": schema or {"type": "string"}}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
DATES = [q("from", "First local date (YYYY-MM-DD), today by default", {"type": "string", "format": "date"}),
         q("to", "Last local date (YYYY-MM-DD)", {"type": "string", "format": "date"})]
ERRS = {"400": err("Malformed JSON"), "413": err("Body over 64 KiB"), "422": err("Invalid value")}
S = {"type": "string"}
TS = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset"}

schemas = {
    "StationStatus": {"type": "object", "required": ["state", "session", "next", "warningDeadline", "pagesLeft", "outOfService", "closeBrowser"], "properties": {
        "state": {"type": "string", "enum": ["idle", "in-use", "warning", "ending", "wiping", "out-of-service"]},
        "session": {"type": "string", "nullable": True}, "next": {"type": "string", "nullable": True},
        "warningDeadline": {"type": "string", "format": "date-time", "nullable": True}, "pagesLeft": {"type": "integer"},
        "outOfService": {"type": "string", "nullable": True}, "closeBrowser": {"type": "boolean"},
        "profile": {"type": "string", "nullable": True, "description": "Loopback callers only"}}},
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": S, "message": {"type": "object", "required": ["fr", "en"], "properties": {"fr": S, "en": S}},
        "details": {"type": "object", "additionalProperties": S}}}}},
    "HoursPlan": {"type": "object", "properties": {"timeZone": S, "label": S, "revision": {"type": "integer"}, "effectiveFrom": S,
        "weeklyHours": {"type": "number"}, "openDays": {"type": "integer"},
        "days": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string", "pattern": "^\\d\\d:\\d\\d-\\d\\d:\\d\\d$"}}},
        "upcoming": {"type": "array", "description": "Plans announced ahead, each from its date", "items": {"type": "object", "properties": {
            "effectiveFrom": S, "weeklyHours": {"type": "number"}, "days": {"type": "object"}}}}}},
    "Holiday": {"type": "object", "properties": {"date": S, "name": S, "open": {"type": "boolean", "description": "Declared open by the manager (closed otherwise)"}}},
    "Closure": {"type": "object", "properties": {"id": S, "start": TS, "end": TS, "reason": S, "emergency": {"type": "boolean"},
        "withdrawn": {"type": "boolean"}, "announcedAt": TS, "sequence": {"type": "integer"}}},
    "Specialist": {"type": "object", "properties": {"id": S, "partner": S, "displayName": S, "calendarPath": S}},
    "Recurrence": {"type": "object", "required": ["frequency", "weekday"], "properties": {"frequency": {"enum": ["weekly", "monthly"]},
        "weekday": {"enum": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]},
        "interval": {"type": "integer", "minimum": 1, "maximum": 8}, "ordinal": {"type": "integer", "enum": [1, 2, 3, 4, -1]}}},
    "Permanence": {"type": "object", "properties": {"id": S, "partner": S, "specialist": S, "room": S, "recurrence": ref("Recurrence"),
        "description": S, "hours": S, "firstDate": S, "lastDate": S, "exceptions": {"type": "array", "items": S},
        "cancelled": {"type": "boolean"}, "sequence": {"type": "integer"}}},
    "VisioSlot": {"type": "object", "properties": {"id": S, "partner": S, "specialist": S, "room": S, "station": S, "start": TS, "end": TS,
        "cancelled": {"type": "boolean"}, "sequence": {"type": "integer"}}},
    "FreeSlot": {"type": "object", "properties": {"kind": {"enum": ["permanence", "visio"]}, "partner": S, "specialist": S, "room": S,
        "station": S, "permanence": S, "visioSlot": S, "start": TS, "end": TS}},
    "Usager": {"type": "object", "required": ["name"], "properties": {"name": S, "phone": S, "email": S, "reminderConsent": {"type": "boolean"}}},
    "Booking": {"type": "object", "properties": {"id": S, "kind": {"enum": ["permanence", "visio", "room"]},
        "status": {"enum": ["booked", "checked-in", "no-show", "done", "cancelled"]}, "partner": S, "lifeSituation": S, "permanence": S,
        "visioSlot": S, "room": S, "specialist": S, "station": S, "start": TS, "end": TS, "usager": ref("Usager"),
        "createdAt": TS, "updatedAt": TS, "sequence": {"type": "integer"}}},
    "Structure": {"type": "object", "properties": {"id": S, "name": S, "address": S, "timeZone": S, "email": S, "phone": S, "label": S,
        "partners": {"type": "array", "items": {"type": "object"}}, "lifeSituations": {"type": "array", "items": {"type": "object"}},
        "rooms": {"type": "array", "items": {"type": "object"}}}},
}
affected = lambda key, item: {"type": "object", "properties": {key: ref(item), "affectedBookings": {"type": "array", "items": ref("Booking")}}}

def event(name, desc):
    return {"post": {"summary": desc, "parameters": [ID], "responses": {"200": ok(ref("Booking")), "404": err("Unknown booking"), "409": err("Not possible now")}}}

TOKEN = {"name": "token", "in": "path", "required": True, "description": "The visio link's secret (32 letters and digits)", "schema": {"type": "string"}}
LANG = {"name": "lang", "in": "query", "required": False, "description": "Page language (`fr`, `en`)", "schema": {"type": "string"}}
HTML = {"description": "HTML page", "content": {"text/html": {}}}
CODE = {"name": "code", "in": "path", "required": True, "description": "A self-booking's personal code", "schema": {"type": "string"}}
VISIO_STATION = {"name": "station", "in": "path", "required": True, "description": "The visio station's id (`visio` in the demo)", "schema": {"type": "string"}}
STATION = {"name": "station", "in": "path", "required": True, "description": "A self-service station's id", "schema": {"type": "string"}}

paths = {
    "/": {"get": {"summary": "The public page (HTML): opening hours, open or closed now, upcoming closures, partners and services, calendar link, contact form", "responses": {"200": {"description": "HTML page", "content": {"text/html": {}}}}}},
    "/healthz": {"get": {"summary": "Each component's state", "responses": {"200": ok({"type": "object"}), "503": ok({"type": "object"}, "A component is down")}}},
    "/metrics": {"get": {"summary": "Counters and timings in Prometheus' text format (requests, bookings, stations, wipes, prints, scans, visio calls, database, disk). From this machine, or with the bearer token of metrics.tokenFile.",
                         "responses": {"200": {"description": "OK", "content": {"text/plain": {"schema": S}}}, "403": err("Neither from this machine nor with the token")}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": ok({"type": "object"})}}},
    "/calendars/public.ics": {"get": {"summary": "Public hours and closures (iCalendar)", "responses": {"200": {"description": "RFC 5545", "content": {"text/calendar": {}}}}}},
    "/calendars/specialists/{token}": {"get": {"summary": "A specialist's calendar (iCalendar), behind its secret token; `.ics` may be appended",
        "parameters": [{"name": "token", "in": "path", "required": True, "schema": S}],
        "responses": {"200": {"description": "RFC 5545", "content": {"text/calendar": {}}}, "404": err("Unknown token")}}},
    "/contact": {"post": {"summary": "The public contact form (HTML form post from `/`): stored for the agents, answered within 72 hours; refused when oversize, empty, sent without the page's one-use token, within 3 seconds, with the hidden field filled, or too often",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["name", "email", "message", "token"],
                         "properties": {"name": S, "email": S, "message": S, "token": S, "website": S}}}}},
        "responses": {"303": {"description": "Received; back to the page"}, "403": {"description": "Looks automated (HTML page)"},
                      "413": {"description": "Too large (HTML page)"}, "422": {"description": "Invalid field (HTML page)"}, "429": {"description": "Too many from this address (HTML page)"}}}},
    "/api/v1/devices/self-booking/step": {"post": {"summary": "A station's self-booking asks what to offer at one step (the station's device credential): the life situations, the choices of a situation, or one day's free times, under the manager's self-booking settings. Ids and values only: the station names them in the usager's language",
        "requestBody": body({"type": "object", "properties": {"situation": S, "choice": S, "day": {"type": "string", "format": "date"}}}),
        "responses": {"200": ok({"type": "object", "properties": {"closed": {"type": "boolean"}, "situations": {"type": "array", "items": S}, "choices": {"type": "array", "items": S},
            "choice": S, "day": S, "slots": {"type": "array", "items": S}, "previous": S, "next": S, "none": {"type": "boolean"}}}), "401": err("No or revoked credential"), "403": err("Not a station"), **ERRS}}},
    "/api/v1/devices/self-booking": {"post": {"summary": "Books the chosen time for the usager at a station, by name only (no phone nor address on a shared PC; the station prints a slip). The public page's rules and 409s; at most 12 an hour per station",
        "requestBody": body({"type": "object", "required": ["slot", "name"], "properties": {"slot": S, "situation": S, "name": S}}),
        "responses": {"201": ok({"type": "object", "properties": {"code": S, "kind": S, "partner": S, "room": S, "start": {"type": "number"}, "end": {"type": "number"}, "situation": S}}, "Booked"),
                      "401": err("No or revoked credential"), "403": err("Not a station"), "409": err("Taken meanwhile"), "429": err("Too many from this station"), **ERRS}}},
    "/rendez-vous": {
        "get": {"summary": "The usager's self-booking, one step per page (HTML, `lang` fr or en): the life situation, with whom (skipped when one answer), one day's free times as big buttons, then the confirmation form. Only the partners, kinds, horizon and notice the manager opened (console: Rendez-vous en ligne); `code` redirects to that booking's page; `deplacer` (a code) offers the times to move it to",
                "parameters": [LANG, q("situation", "A life situation's id"), q("choice", "`agent`, or `permanence:<partner>` / `visio:<partner>`"),
                               q("day", "The day to show (YYYY-MM-DD), or the next one with free times", {"type": "string", "format": "date"}),
                               q("slot", "The chosen time (as the slot links give it)"), q("code", "A personal code to find"), q("deplacer", "The code of the booking being moved")],
                "responses": {"200": HTML, "303": {"description": "To the booking of `code`"}, "404": {"description": "Unknown code (HTML)"}}},
        "post": {"summary": "Books the chosen time for the usager (HTML form): the name, and a phone or e-mail only with the reminder consent. The same rules and 409s as an agent's booking, plus the manager's settings and at most two future self-bookings per phone or e-mail; refused when sent without the page's one-use token, within 3 seconds, with the hidden field filled, or more than 5 times an hour from one address",
                 "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["name", "slot", "choice", "token"],
                                 "properties": {"name": S, "slot": S, "choice": S, "situation": S, "consent": S, "phone": S, "email": S, "lang": S, "token": S, "website": S}}}}},
                 "responses": {"303": {"description": "Booked: to `/rendez-vous/{code}`"}, "403": {"description": "Looks automated or the page expired (HTML)"},
                               "409": {"description": "Taken meanwhile, or two future bookings already (HTML)"}, "422": {"description": "Invalid field, or not bookable online (HTML)"},
                               "429": {"description": "Too many from this address (HTML)"}}}},
    "/rendez-vous/{code}": {"get": {"summary": "A self-booking's page, opened by its personal code (8 characters; dashes, spaces and lower case accepted): when, where, with whom, what to bring, and the buttons to move or cancel it. At most 60 views an hour per address",
        "parameters": [CODE, LANG], "responses": {"200": HTML, "404": {"description": "Unknown or purged code (HTML)"}, "429": {"description": "Too many from this address (HTML)"}}}},
    "/rendez-vous/{code}/annuler": {"post": {"summary": "The usager cancels their booking (HTML form with the page's one-use token); before its start only",
        "parameters": [CODE], "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["token"], "properties": {"token": S, "lang": S, "website": S}}}}},
        "responses": {"303": {"description": "Cancelled: back to its page"}, "403": {"description": "Looks automated or the page expired (HTML)"}, "404": {"description": "Unknown code (HTML)"}, "409": {"description": "Already started, done or cancelled (HTML)"}}}},
    "/rendez-vous/{code}/deplacer": {"post": {"summary": "The usager moves their booking to another free time of the same partner and kind (HTML form): the same booking, its sequence raised, under the same rules as booking it",
        "parameters": [CODE], "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["slot", "token"], "properties": {"slot": S, "token": S, "lang": S, "website": S}}}}},
        "responses": {"303": {"description": "Moved: back to its page"}, "403": {"description": "Looks automated or the page expired (HTML)"}, "404": {"description": "Unknown code (HTML)"},
                      "409": {"description": "Taken meanwhile (HTML)"}, "422": {"description": "Not bookable online (HTML)"}}}},
    "/kiosk/{station}/etat": {"get": {"summary": "A self-service station's state, for its pages and its supervisor (`guichet station`): idle, in-use, warning (with its deadline), ending, wiping or out-of-service; whether the browser must close; pages left to print; the next session's token; on loopback only, the session's browser profile folder",
        "parameters": [STATION], "responses": {"200": ok(ref("StationStatus")), "404": err("Unknown station")}}},
    "/kiosk/{station}/superviseur": {"post": {"summary": "`guichet station` announces itself (loopback only): from then on each wipe waits for the browser to close",
        "parameters": [STATION], "responses": {"204": {"description": "Attached"}, "403": {"description": "Not from the station itself"}, "404": err("Unknown station")}}},
    "/kiosk/{station}/navigateur-ferme": {"post": {"summary": "The station's browser has exited (loopback only): the session, if one was open, ends and is wiped",
        "parameters": [STATION], "responses": {"204": {"description": "Noted"}, "403": {"description": "Not from the station itself"}, "404": err("Unknown station")}}},
    "/visio/{token}": {"get": {"summary": "The specialist's page for a visio appointment (HTML, French or English by `?lang=` or Accept-Language): camera and microphone check, waiting room, the call. The token is the booking's unguessable link, shown to agents on the console; it opens `visio.joinEarlyMinutes` before the slot and closes at its end or when the booking is cancelled",
        "parameters": [TOKEN, LANG], "responses": {"200": HTML, "403": {"description": "Too early: the page says when the link opens (HTML)"},
                      "404": {"description": "Unknown or altered link (HTML)"}, "410": {"description": "The appointment is over or cancelled (HTML)"}}}},
    "/visio/{token}/ws": {"get": {"summary": "The visio's signalling WebSocket (upgrade only inside the link's window; a refused upgrade gets 400). One JSON object per text message, `type` plus only the keys of that type, anything else refused with an `error` message and the connection kept: `join` (specialist), `waiting`, `admitted` {iceServers} (daemon), `offer` {sdp} (daemon: the room is always the offerer), `answer` {sdp} (specialist, ≤ 64 KiB, validated), `candidate` {mline 0–7, candidate ≤ 1 KiB, empty = end} (both), `chat` {text ≤ 2 000 characters} (specialist → room, once admitted), `leave` (both), `error` {code: malformed, too_large, unknown_type, not_now, too_many_messages, call_ended; message} (daemon). 50 messages a second with bursts of 200 per connection. A plain GET says why the link does not open",
        "parameters": [TOKEN], "responses": {"101": {"description": "Switching to WebSocket"}, "400": {"description": "Upgrade refused (unknown link, outside its window, visio off)"},
                      "403": err("Too early (plain GET)"), "404": err("Unknown link (plain GET)"), "410": err("Over or cancelled (plain GET)"), "426": err("Inside the window: a WebSocket upgrade is expected")}}},
    "/salle/{station}": {"get": {"summary": "The confidential room's screen (HTML, on the room's PC only): who the usager talks to, when the specialist is about to join, the messages the specialist sent, and the big “end the call” button",
        "parameters": [VISIO_STATION], "responses": {"200": HTML, "403": {"description": "Not from the room's PC"}, "404": {"description": "Not a visio station"}}}},
    "/salle/{station}/etat": {"get": {"summary": "The room's call (loopback only): booking, waiting, admitted, and the room engine's counters of remote video frames and audio buffers; `version` changes with every change of state",
        "parameters": [VISIO_STATION], "responses": {"200": ok({"type": "object", "properties": {"version": {"type": "integer"}, "call": {"type": "object", "nullable": True,
            "properties": {"booking": S, "waiting": {"type": "boolean"}, "admitted": {"type": "boolean"}, "videoFrames": {"type": "integer"}, "audioBuffers": {"type": "integer"}}}}}),
            "403": {"description": "Not from the room's PC"}, "404": err("Not a visio station")}}},
    "/salle/{station}/raccrocher": {"post": {"summary": "The usager ends the call from the room's screen (loopback only); the specialist's page ends too",
        "parameters": [VISIO_STATION], "responses": {"303": {"description": "Back to the room's screen"}, "403": {"description": "Not from the room's PC"}, "404": err("Not a visio station")}}},
    "/api/v1/session": {
        "post": {"summary": "Sign an agent in; sets the HttpOnly session cookie used by every other /api/v1 call (5 failures per account or 20 per address in 15 minutes lock further attempts)",
                 "security": [], "requestBody": body({"type": "object", "required": ["login", "password"], "properties": {"login": S, "password": S}}),
                 "responses": {"201": ok({"type": "object", "properties": {"agent": S, "role": {"enum": ["agent", "manager"]}, "expiresAt": TS}}, "Signed in"),
                               "401": err("Wrong login or password"), "429": err("Too many attempts")}},
        "delete": {"summary": "Sign out", "responses": {"204": {"description": "Signed out"}}}},
    "/api/v1/structure": {"get": {"summary": "The structure, its partners, life situations and rooms", "responses": {"200": ok(ref("Structure"))}}},
    "/api/v1/opening-hours": {
        "get": {"summary": "The weekly opening hours", "responses": {"200": ok(ref("HoursPlan"))}},
        "put": {"summary": "Record a weekly plan from `effectiveFrom` (today by default, never in the past, at most a year ahead; label minimum enforced). Past periods keep the hours they had; a plan announced ahead drives availability from its date",
                "requestBody": body({"type": "object", "required": ["days"], "properties": {"days": {"type": "object", "additionalProperties": {"type": "array", "items": S}},
                                     "effectiveFrom": {"type": "string", "format": "date"}}}),
                "responses": {"200": ok({"type": "object", "properties": {"plan": ref("HoursPlan"), "bookingsOutside": {"type": "array", "items": ref("Booking")}}}), **ERRS}}},
    "/api/v1/holidays": {"get": {"summary": "The French public holidays of a year: the structure is closed on them unless the manager declared one open",
        "parameters": [q("year", "The year (this year by default; within five years)", {"type": "integer"})],
        "responses": {"200": ok(lst("Holiday")), "422": err("Invalid year")}}},
    "/api/v1/holidays/{date}": {"put": {"summary": "Declare a public holiday open (an explicit exception) or closed again; closing lists the bookings it hits",
        "parameters": [{"name": "date", "in": "path", "required": True, "schema": {"type": "string", "format": "date"}}],
        "requestBody": body({"type": "object", "required": ["open"], "properties": {"open": {"type": "boolean"}}}),
        "responses": {"200": ok({"type": "object", "properties": {"holiday": ref("Holiday"), "affectedBookings": {"type": "array", "items": ref("Booking")}}}), **ERRS}}},
    "/api/v1/closures": {
        "get": {"summary": "Exceptional closures", "parameters": DATES, "responses": {"200": ok(lst("Closure")), "422": err("Invalid dates")}},
        "post": {"summary": "Announce a closure (7 days ahead unless emergency); lists the bookings it hits",
                 "requestBody": body({"type": "object", "required": ["start", "end", "reason"], "properties": {"start": TS, "end": TS, "reason": S, "emergency": {"type": "boolean"}}}),
                 "responses": {"201": ok(affected("closure", "Closure"), "Announced"), **ERRS, "409": err("Notice too short")}}},
    "/api/v1/closures/{id}": {"delete": {"summary": "Withdraw a closure", "parameters": [ID], "responses": {"200": ok(ref("Closure")), "404": err("Unknown closure")}}},
    "/api/v1/specialists": {
        "get": {"summary": "Partner specialists", "responses": {"200": ok(lst("Specialist"))}},
        "post": {"summary": "Register a specialist", "requestBody": body({"type": "object", "required": ["partner", "displayName"], "properties": {"partner": S, "displayName": S}}),
                 "responses": {"201": ok(ref("Specialist"), "Created"), **ERRS}}},
    "/api/v1/permanences": {
        "get": {"summary": "Partner permanences", "responses": {"200": ok(lst("Permanence"))}},
        "post": {"summary": "Schedule a recurring permanence", "requestBody": body({"type": "object", "required": ["specialist", "room", "recurrence", "hours", "firstDate"],
                 "properties": {"specialist": S, "room": S, "recurrence": ref("Recurrence"), "hours": S, "firstDate": S, "lastDate": S}}),
                 "responses": {"201": ok(ref("Permanence"), "Created"), **ERRS, "404": err("Unknown specialist"), "409": err("Specialist or room busy")}}},
    "/api/v1/permanences/{id}": {
        "get": {"summary": "One permanence", "parameters": [ID], "responses": {"200": ok(ref("Permanence")), "404": err("Unknown permanence")}},
        "delete": {"summary": "End a permanence series", "parameters": [ID], "responses": {"200": ok(affected("permanence", "Permanence")), "404": err("Unknown permanence")}}},
    "/api/v1/permanences/{id}/exceptions": {"post": {"summary": "Take one date out of a permanence", "parameters": [ID],
        "requestBody": body({"type": "object", "required": ["date"], "properties": {"date": S}}),
        "responses": {"200": ok(affected("permanence", "Permanence")), **ERRS, "404": err("Unknown permanence")}}},
    "/api/v1/visio-slots": {
        "get": {"summary": "Visio windows", "parameters": DATES, "responses": {"200": ok(lst("VisioSlot")), "422": err("Invalid dates")}},
        "post": {"summary": "Open a visio window for a remote specialist", "requestBody": body({"type": "object", "required": ["specialist", "start", "end"], "properties": {"specialist": S, "start": TS, "end": TS}}),
                 "responses": {"201": ok(ref("VisioSlot"), "Created"), **ERRS, "404": err("Unknown specialist"), "409": err("Busy or closed")}}},
    "/api/v1/visio-slots/{id}": {"delete": {"summary": "Cancel a visio window", "parameters": [ID], "responses": {"200": ok(affected("visioSlot", "VisioSlot")), "404": err("Unknown slot")}}},
    "/api/v1/availability": {"get": {"summary": "Free slots for a partner, a life situation or a specialist",
        "parameters": [q("partner", "Partner id"), q("lifeSituation", "Life situation id"), q("specialist", "Specialist id"),
                       q("kind", "permanence or visio"), q("slotMinutes", "Slot length, 5 to 240", {"type": "integer"})] + DATES,
        "responses": {"200": ok(lst("FreeSlot")), "404": err("Unknown specialist"), "422": err("Invalid query")}}},
    "/api/v1/bookings": {
        "get": {"summary": "Bookings in a date range", "parameters": DATES, "responses": {"200": ok(lst("Booking")), "422": err("Invalid dates")}},
        "post": {"summary": "Book a usager", "requestBody": body({"type": "object", "required": ["kind", "start", "end", "usager"], "properties": {
                 "kind": {"enum": ["permanence", "visio", "room"]}, "permanence": S, "visioSlot": S, "room": S, "lifeSituation": S, "start": TS, "end": TS, "usager": ref("Usager")}}),
                 "responses": {"201": ok(ref("Booking"), "Booked"), **ERRS, "404": err("Unknown permanence or slot"), "409": err("Slot taken, closed (closure, public_holiday), or the room held by a partner's window (room_held_by_permanence, room_held_by_visio_slot)")}}},
    "/api/v1/bookings/{id}": {
        "get": {"summary": "One booking", "parameters": [ID], "responses": {"200": ok(ref("Booking")), "404": err("Unknown booking")}},
        "patch": {"summary": "Reschedule", "parameters": [ID], "requestBody": body({"type": "object", "required": ["start", "end"], "properties": {"start": TS, "end": TS}}),
                  "responses": {"200": ok(ref("Booking")), **ERRS, "404": err("Unknown booking"), "409": err("Slot taken")}}},
    "/api/v1/bookings/{id}/cancel": event("cancel", "Cancel"),
    "/api/v1/bookings/{id}/check-in": event("check-in", "Check the usager in"),
    "/api/v1/bookings/{id}/no-show": event("no-show", "Record a no-show"),
    "/api/v1/bookings/{id}/done": event("done", "Record the appointment as held"),
}
# Everything under /api/v1 needs a signed-in agent, except the public reads below.
PUBLIC = {("/api/v1/structure", "get"), ("/api/v1/opening-hours", "get"), ("/api/v1/holidays", "get"), ("/api/v1/closures", "get"), ("/api/v1/availability", "get")}
# Writes that only a manager may make (APIAccessMiddleware.managerWrites).
MANAGER_WRITES = ("/api/v1/opening-hours", "/api/v1/holidays", "/api/v1/closures", "/api/v1/permanences", "/api/v1/specialists")
for path, operations in paths.items():
    for method, operation in operations.items():
        if path.startswith("/api/v1/") and method in ("post", "put", "patch"):
            operation["responses"].setdefault("415", err("Body not sent as application/json"))
        if path.startswith(MANAGER_WRITES) and method != "get":
            operation["responses"].setdefault("403", err("Managers only (manager_only)"))
        if not path.startswith("/api/v1/") or (path, method) in PUBLIC or "security" in operation:
            operation.setdefault("security", [])
            continue
        operation["responses"].setdefault("401", err("No agent signed in"))
doc = {"openapi": "3.0.3", "info": {"title": "Guichet", "version": "1",
       "description": "The agenda API of a France Services structure. Times are ISO 8601 with offsets; errors carry a stable code and French and English messages. "
                      "Sign in with POST /api/v1/session; the session cookie then authorises the other calls. The agents' console (/console) is HTML and not described here."},
       "paths": paths, "security": [{"agentSession": []}],
       "components": {"schemas": schemas, "securitySchemes": {"agentSession": {"type": "apiKey", "in": "cookie", "name": "guichet_session"}}}}
out = pathlib.Path(__file__).resolve().parent.parent / "Sources/Web/Resources/openapi.json"
out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
print(f"wrote {out}")
