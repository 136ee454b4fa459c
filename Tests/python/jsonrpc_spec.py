"""kept's control socket held to the JSON-RPC 2.0 specification's own examples (section 7),
adapted to kept's methods, and driven by a JSON-RPC client library from PyPI (jsonrpcclient).

Usage: jsonrpc_spec.py SOCKET — the daemon has incident 1 open. Prints one line per check and
exits 1 if any failed.
"""
import json
import socket
import sys

from jsonrpcclient import Error, Ok, parse, request

SOCKET = sys.argv[1]
failures = []


def check(what, ok, detail=""):
    print(("ok    " if ok else "FAIL  ") + what + ("" if ok else f" — {detail}"))
    if not ok:
        failures.append(what)


class Connection:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(SOCKET)
        self.buffer = b""

    def send(self, data, pieces=None):
        data = data if isinstance(data, bytes) else data.encode()
        if pieces is None:
            self.s.sendall(data)
        else:
            for i in range(0, len(data), pieces):
                self.s.sendall(data[i:i + pieces])

    def line(self, timeout=10):
        self.s.settimeout(timeout)
        while b"\n" not in self.buffer:
            try:
                chunk = self.s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                return None
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def call(self, text):
        self.send(text + "\n")
        return self.line()


def error(answer, code, id_=None):
    return isinstance(answer, dict) and answer.get("jsonrpc") == "2.0" and "result" not in answer \
        and answer.get("error", {}).get("code") == code and answer.get("id") == id_


c = Connection()

# 7. "rpc call with named parameters"
a = c.call('{"jsonrpc": "2.0", "method": "incident.show", "params": {"incident": 1}, "id": 3}')
check("a call with named parameters is answered under its id", a.get("id") == 3 and a["result"]["incident"]["id"] == 1, a)

# "a Notification": carried out, never answered. The next call's answer is the next line.
before = len(c.call('{"jsonrpc":"2.0","id":"t","method":"incident.show","params":{"incident":1}}')["result"]["timeline"])
c.send('{"jsonrpc": "2.0", "method": "checkin.log", "params": {"incident": 1, "note": "by notification"}}\n')
a = c.call('{"jsonrpc":"2.0","id":"after","method":"incident.show","params":{"incident":1}}')
check("a notification is not answered", a.get("id") == "after", a)
check("a notification is carried out", len(a["result"]["timeline"]) > before
      and any(e.get("text") == "by notification" for e in a["result"]["timeline"]), a["result"]["timeline"][-2:])

# "rpc call of non-existent method"
a = c.call('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')
check("an unknown method is -32601 under its id", error(a, -32601, "1"), a)

# "rpc call with invalid JSON"
a = c.call('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')
check("invalid JSON is -32700 with a null id", error(a, -32700, None), a)

# "rpc call with invalid Request object"
a = c.call('{"jsonrpc": "2.0", "method": 1, "params": "bar"}')
check("an invalid request object is -32600 with a null id", error(a, -32600, None), a)

# "rpc call Batch, invalid JSON"
a = c.call('[{"jsonrpc": "2.0", "method": "status", "id": "1"},{"jsonrpc": "2.0", "method"]')
check("a batch that is not JSON is one -32700", error(a, -32700, None), a)

# "rpc call with an empty Array"
a = c.call("[]")
check("an empty batch is one -32600", error(a, -32600, None), a)

# "rpc call with an invalid Batch (but not empty)"
a = c.call("[1]")
check("[1] is an array of one -32600", isinstance(a, list) and len(a) == 1 and error(a[0], -32600, None), a)

# "rpc call with invalid Batch"
a = c.call("[1,2,3]")
check("[1,2,3] is an array of three -32600", isinstance(a, list) and len(a) == 3 and all(error(e, -32600, None) for e in a), a)

# "rpc call Batch": one answer per call with an id, none for the notification, in order.
a = c.call(json.dumps([
    {"jsonrpc": "2.0", "method": "status", "id": "1"},
    {"jsonrpc": "2.0", "method": "checkin.log", "params": {"incident": 1}},
    {"jsonrpc": "2.0", "method": "agenda", "params": {"days": 3}, "id": "2"},
    {"foo": "boo"},
    {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
    {"jsonrpc": "2.0", "method": "ledger", "id": "9"},
]))
ok = isinstance(a, list) and len(a) == 5 \
    and a[0].get("id") == "1" and "version" in a[0]["result"] \
    and a[1].get("id") == "2" and a[1]["result"]["days"] == 3 \
    and error(a[2], -32600, None) and error(a[3], -32601, "5") \
    and a[4].get("id") == "9" and "total" in a[4]["result"]
check("a mixed batch gets one answer per call with an id", ok, a)

# "rpc call Batch (all notifications)": nothing at all. The next call's answer is the next line.
c.send('[{"jsonrpc": "2.0", "method": "status"},{"jsonrpc": "2.0", "method": "ledger"}]\n')
a = c.call('{"jsonrpc":"2.0","id":"next","method":"status"}')
check("a batch of notifications is not answered", a.get("id") == "next", a)

# A notification whose params kept refuses (positional, or a member it does not know) is still a
# notification: never answered, alone or in a batch (section 4.1).
c.send('{"jsonrpc": "2.0", "method": "checkin.log", "params": [1, "positional"]}\n')
c.send('{"jsonrpc": "2.0", "method": "checkin.log", "params": {"incident": 1, "colour": "red"}}\n')
a = c.call('{"jsonrpc":"2.0","id":"after-refused","method":"status"}')
check("a refused notification is not answered", a.get("id") == "after-refused", a)
a = c.call(json.dumps([
    {"jsonrpc": "2.0", "method": "checkin.log", "params": [1]},
    {"jsonrpc": "2.0", "method": "status", "id": "only"},
]))
check("a refused notification in a batch is not answered", isinstance(a, list) and len(a) == 1 and a[0].get("id") == "only", a)
c.send('[{"jsonrpc": "2.0", "method": "checkin.log", "params": [1]}]\n')
a = c.call('{"jsonrpc":"2.0","id":"after-batch","method":"status"}')
check("a batch of one refused notification is not answered", a.get("id") == "after-batch", a)

# The id is echoed whenever it can be read, even when the request is invalid.
a = c.call('{"jsonrpc": "1.0", "method": "status", "id": 5}')
check("an invalid request keeps its id", error(a, -32600, 5), a)
a = c.call('{"jsonrpc": "2.0", "method": "status", "id": {"no": 1}}')
check("an id that is no id is answered under null", error(a, -32600, None), a)

# params must be an object; null and scalars are invalid requests, arrays invalid params.
for params in ["null", "7", '"x"']:
    a = c.call('{"jsonrpc":"2.0","id":7,"method":"agenda","params":%s}' % params)
    check(f"params {params} is refused", error(a, -32600, 7), a)
a = c.call('{"jsonrpc":"2.0","id":8,"method":"agenda","params":[3]}')
check("params by position are -32602", error(a, -32602, 8), a)

# An unknown member is refused by name, and nothing changes.
before = c.call('{"jsonrpc":"2.0","id":1,"method":"incident.show","params":{"incident":1}}')["result"]
a = c.call('{"jsonrpc":"2.0","id":9,"method":"item.done","params":{"item":"1.2","nots":"called Dana"}}')
check("a misspelt member is -32602 naming it", error(a, -32602, 9) and '"nots"' in a["error"]["message"]
      and a["error"].get("data", {}).get("field") == "nots", a)
after = c.call('{"jsonrpc":"2.0","id":1,"method":"incident.show","params":{"incident":1}}')["result"]
check("... and the item is not done", before["items"] == after["items"], "")

# The 64 KiB limit holds however the request is written.
big = '{"jsonrpc":"2.0","id":10,"method":"checkin.log","params":{"incident":1,"note":"%s"}}\n' % ("x" * 100_000)
one = Connection()
one.send(big)
a = one.line()
check("a 100 KB request in one write is refused", error(a, -32600, None), a)
pieces = Connection()
pieces.send(big, pieces=4096)
a = pieces.line()
check("the same in 4 KiB pieces is refused", error(a, -32600, None), a)
after_big = c.call('{"jsonrpc":"2.0","id":1,"method":"incident.show","params":{"incident":1}}')["result"]
check("... and neither was carried out", len(after_big["timeline"]) == len(after["timeline"]), "")

# A JSON-RPC client library from PyPI: its requests, its batches, its reading of our answers.
lib = Connection()
opened = parse(lib.call(json.dumps(request("incident.open", params={"client": "Initech", "title": "Leaked the roadmap", "playbook": False}))))
check("jsonrpcclient: a call reads as Ok", isinstance(opened, Ok) and opened.result["incident"]["client"] == "Initech", opened)
answers = list(parse(lib.call(json.dumps([request("status"), request("ledger", params={"client": "Initech"}), request("incident.show", params={"incident": 99})]))))
check("jsonrpcclient: a batch reads as Ok, Ok, Error",
      [type(x).__name__ for x in answers] == ["Ok", "Ok", "Error"] and answers[2].code == -32001, answers)
unknown = parse(lib.call(json.dumps(request("incident.explode"))))
check("jsonrpcclient: an unknown method reads as its Error", isinstance(unknown, Error) and unknown.code == -32601, unknown)

sys.exit(1 if failures else 0)
