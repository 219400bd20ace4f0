#!/usr/bin/env python3
"""The interop validator (compare.py) catches a sink that drops or alters what was sent.

Each test takes a dump that matches the sent spans exactly, breaks one thing the way a faulty
sink would, and checks that compare() reports that thing by span name and field. Plain stdlib:
  python3 tests/interop/test_compare.py
"""
import copy
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACE_B = "0af7651916cd43dd8448eb211c80319c"
RESOURCE = {"attributes": {"service.name": "interop-python-grpc",
                           "deployment.environment": "interop", "service.version": "1.2.3"}}


def span(span_id, name, parent="", trace_id=TRACE_A, **fields):
    s = {
        "trace_id": trace_id, "span_id": span_id, "parent_span_id": parent, "name": name,
        "kind": "INTERNAL", "start_time_unix_nano": 1_700_000_000_123_456_789,
        "end_time_unix_nano": 1_700_000_000_223_456_789,
        "status": {"code": "UNSET", "message": ""}, "service_name": "interop-python-grpc",
        "scope": {"name": "traceproof.interop", "version": "1.0.0"}, "attributes": {},
        "dropped_attributes_count": 0, "events": [], "links": [],
        "resource": copy.deepcopy(RESOURCE), "trace_state": "",
    }
    s.update(fields)
    return s


def sent_spans():
    """A small version of scenario.json: a three-level tree and a linked second trace."""
    return [
        span("00f067aa0ba902b7", "POST /checkout", kind="SERVER",
             attributes={"http.request.method": "POST", "http.response.status_code": 200,
                         "interop.bool": True, "interop.float": 0.25,
                         "interop.strings": ["a", "b"], "interop.ints": [1, 2, 3]}),
        span("53995c3f42cd8ad8", "create-order", parent="00f067aa0ba902b7",
             attributes={"order.id": "o-1001"},
             events=[{"name": "cart.validated", "time_unix_nano": 1_700_000_000_140_000_000,
                      "attributes": {"cart.items": 3, "cart.total": 59.95}}]),
        span("e457b5a2e4d86bd1", "INSERT orders", parent="53995c3f42cd8ad8", kind="CLIENT",
             attributes={"db.system.name": "postgresql", "server.port": 5432}),
        span("b7ad6b7169203331", "charge-card", trace_id=TRACE_B, kind="CLIENT",
             status={"code": "ERROR", "message": "card declined"},
             links=[{"trace_id": TRACE_A, "span_id": "53995c3f42cd8ad8",
                     "trace_state": "vendor=interop",
                     "attributes": {"link.reason": "follows-from"}}]),
    ]


def dump_of(spans):
    """What a correct sink dumps for these spans, including fields the sender does not know."""
    traces = {}
    for s in spans:
        dumped = copy.deepcopy(s)
        dumped["duration_ns"] = s["end_time_unix_nano"] - s["start_time_unix_nano"]
        dumped["flags"] = 257
        traces.setdefault(s["trace_id"], []).append(dumped)
    out = []
    for trace_id, members in traces.items():
        ids = {m["span_id"] for m in members}
        out.append({
            "trace_id": trace_id, "spans": members,
            "roots": [m["span_id"] for m in members if not m["parent_span_id"]],
            "orphans": [m["span_id"] for m in members
                        if m["parent_span_id"] and m["parent_span_id"] not in ids],
            "duplicate_span_ids": [], "times_completed": 1,
        })
    return out


def find(dump, name):
    return next(s for t in dump for s in t["spans"] if s["name"] == name)


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.sent = sent_spans()
        self.dump = dump_of(self.sent)

    def assertReports(self, *fragments):
        """Exactly the breakage is reported: one line contains every fragment."""
        diffs = compare.compare(self.sent, self.dump)
        self.assertTrue(diffs, "a broken dump compared equal to what was sent")
        self.assertTrue(any(all(f in d for f in fragments) for d in diffs),
                        f"no difference mentions {fragments}; got:\n" + "\n".join(diffs))
        return diffs

    def test_matching_dump_has_no_differences(self):
        self.assertEqual(compare.compare(self.sent, self.dump), [])

    def test_dropped_attribute_is_reported_with_span_and_key(self):
        del find(self.dump, "INSERT orders")["attributes"]["db.system.name"]
        diffs = self.assertReports("'INSERT orders'", "attributes['db.system.name']",
                                   "missing in dump", "'postgresql'")
        self.assertEqual(len(diffs), 1, diffs)

    def test_altered_attribute_value_is_reported(self):
        find(self.dump, "create-order")["attributes"]["order.id"] = "o-1002"
        self.assertReports("'create-order'", "attributes['order.id']", "'o-1001'", "'o-1002'")

    def test_attribute_that_changed_type_is_reported(self):
        attributes = find(self.dump, "POST /checkout")["attributes"]
        attributes["http.response.status_code"] = "200"
        attributes["interop.bool"] = 1
        attributes["interop.float"] = 0
        self.assertReports("attributes['http.response.status_code']", "(int)", "(str)")
        self.assertReports("attributes['interop.bool']", "True (bool)", "1 (int)")
        self.assertReports("attributes['interop.float']", "0.25 (float)", "0 (int)")

    def test_altered_array_attribute_is_reported(self):
        find(self.dump, "POST /checkout")["attributes"]["interop.ints"] = [1, 2]
        self.assertReports("'POST /checkout'", "attributes['interop.ints']", "[1, 2, 3]")

    def test_attribute_added_by_the_sink_is_reported(self):
        find(self.dump, "create-order")["attributes"]["injected"] = "x"
        self.assertReports("'create-order'", "attributes['injected']", "not sent")

    def test_changed_parent_id_is_reported(self):
        find(self.dump, "INSERT orders")["parent_span_id"] = "00f067aa0ba902b7"
        self.assertReports("'INSERT orders'", "parent_span_id", "'53995c3f42cd8ad8'",
                           "'00f067aa0ba902b7'")

    def test_lost_span_is_reported(self):
        trace = self.dump[0]
        trace["spans"] = [s for s in trace["spans"] if s["name"] != "create-order"]
        self.assertReports("'create-order'", "53995c3f42cd8ad8", "missing from dump")

    def test_lost_trace_is_reported(self):
        self.dump = [t for t in self.dump if t["trace_id"] != TRACE_B]
        self.assertReports(TRACE_B, "not in dump")
        self.assertReports("'charge-card'", "missing from dump")

    def test_span_the_sender_never_sent_is_reported(self):
        self.dump[0]["spans"].append(span("1111111111111111", "ghost"))
        self.assertReports("'ghost'", "in dump but not sent")

    def test_dropped_event_attribute_is_reported(self):
        del find(self.dump, "create-order")["events"][0]["attributes"]["cart.total"]
        self.assertReports("'create-order'", "events[0].attributes['cart.total']",
                           "missing in dump")

    def test_lost_event_is_reported(self):
        find(self.dump, "create-order")["events"] = []
        self.assertReports("'create-order'", "events", "sent 1, dump has 0")

    def test_altered_link_is_reported(self):
        link = find(self.dump, "charge-card")["links"][0]
        link["trace_state"] = ""
        link["span_id"] = "0000000000000000"
        self.assertReports("'charge-card'", "links[0].trace_state", "'vendor=interop'")
        self.assertReports("'charge-card'", "links[0].span_id", "'53995c3f42cd8ad8'")

    def test_status_message_change_is_reported(self):
        find(self.dump, "charge-card")["status"]["message"] = ""
        self.assertReports("'charge-card'", "status.message", "'card declined'")

    def test_dropped_resource_attribute_is_reported(self):
        del find(self.dump, "charge-card")["resource"]["attributes"]["deployment.environment"]
        self.assertReports("'charge-card'", "resource.attributes['deployment.environment']")

    def test_rounded_timestamp_is_reported(self):
        find(self.dump, "INSERT orders")["start_time_unix_nano"] = 1_700_000_000_123_456_000
        self.assertReports("'INSERT orders'", "start_time_unix_nano")

    def test_wrong_roots_are_reported(self):
        self.dump[0]["roots"] = []
        self.assertReports(TRACE_A, "roots")

    def test_trace_split_over_two_dump_objects_is_reported(self):
        trace = self.dump[0]
        late = dict(trace, spans=[trace["spans"].pop()])
        self.dump.append(late)
        self.assertReports(TRACE_A, "2 separate trace objects")

    def test_bad_dump_line_is_a_problem_not_a_crash(self):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write(json.dumps(self.dump[0]) + "\n{not json\n")
        try:
            traces, problems = compare.load_dump(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(len(traces), 1)
        self.assertEqual(len(problems), 1)
        self.assertIn("dump line 2", problems[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
