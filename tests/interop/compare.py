"""Validator for the interop tests: what an SDK says it sent against what `traceproof sink` dumped.

Both sides use the sink's dump format for a span (trace_id, span_id, parent_span_id, name, kind,
times, status, service_name, scope, attributes, events, links, resource, trace_state). The sent
side is the record a sender wrote from its SDK's ReadableSpan objects; the dump side is the
JSONL file `traceproof sink --dump` wrote, one object per trace.

`compare()` returns one line per difference, each naming the span and the field, for example
  span 'charge-card' [828df314d80194ea]: attributes['payment.amount']: sent 59.95 (float),
  dump has '59.95' (str)
and an empty list when the dump holds exactly the spans that were sent. Values are compared
with their JSON types: an int that arrives as a float or a string, or a bool that arrives as
an int, is a difference. Only fields present in the sent record are compared; fields the sink
adds (duration_ns, flags, ...) are not the sender's to check.

Usage as a tool: python3 compare.py SENT.json DUMP.jsonl  (exit 0 same, 1 different)
"""
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procs import fold_updates  # noqa: E402

# Fields compared as single values; a dotted name reaches into a nested object.
SCALAR_FIELDS = (
    "trace_id", "parent_span_id", "name", "kind", "start_time_unix_nano",
    "end_time_unix_nano", "status.code", "status.message", "service_name", "scope.name",
    "scope.version", "trace_state", "dropped_attributes_count",
)
_MISSING = object()


def load_dump(path):
    """Reads a JSONL dump. Returns (trace objects, problems); a bad line is a problem, not an
    exception, so one broken line still lets the rest be compared."""
    traces, problems = [], []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                problems.append(f"dump line {number}: not JSON ({e})")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("spans"), list):
                problems.append(f"dump line {number}: not a trace object with a 'spans' list")
                continue
            traces.append(obj)
    return fold_updates(traces), problems


def same_value(sent, got):
    """Equal with the same JSON type at every level (True != 1, 1 != 1.0, '1' != 1)."""
    if type(sent) is not type(got):
        return False
    if isinstance(sent, list):
        return len(sent) == len(got) and all(same_value(a, b) for a, b in zip(sent, got))
    if isinstance(sent, dict):
        return sent.keys() == got.keys() and all(same_value(sent[k], got[k]) for k in sent)
    return sent == got


def show(value):
    return f"{value!r} ({type(value).__name__})"


def lookup(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return _MISSING
        obj = obj[part]
    return obj


def diff_attributes(where, sent, got, out):
    if got is _MISSING or not isinstance(got, dict):
        out.append(f"{where}: sent {len(sent)} attributes, dump has "
                   f"{'none' if got is _MISSING else show(got)}")
        return
    for key, value in sent.items():
        if key not in got:
            out.append(f"{where}[{key!r}]: missing in dump (sent {show(value)})")
        elif not same_value(value, got[key]):
            out.append(f"{where}[{key!r}]: sent {show(value)}, dump has {show(got[key])}")
    for key in got.keys() - sent.keys():
        out.append(f"{where}[{key!r}]: not sent, dump has {show(got[key])}")


def diff_list(where, sent, got, fields, out):
    """Events or links: same count, then each item field by field, in order."""
    if not isinstance(got, list):
        out.append(f"{where}: sent {len(sent)}, dump has "
                   f"{'none' if got is _MISSING else show(got)}")
        return
    if len(sent) != len(got):
        out.append(f"{where}: sent {len(sent)}, dump has {len(got)}")
    for i, (s, g) in enumerate(zip(sent, got)):
        for field in fields:
            if field not in s:
                continue
            g_value = g.get(field, _MISSING) if isinstance(g, dict) else _MISSING
            if field == "attributes":
                diff_attributes(f"{where}[{i}].attributes", s[field], g_value, out)
            elif g_value is _MISSING:
                out.append(f"{where}[{i}].{field}: missing in dump (sent {show(s[field])})")
            elif not same_value(s[field], g_value):
                out.append(f"{where}[{i}].{field}: sent {show(s[field])}, "
                           f"dump has {show(g_value)}")


def diff_span(sent, got):
    """All differences between one sent span and its dump counterpart."""
    out = []
    if "decode_error" in got:
        out.append(f"decode_error: {got['decode_error']}")
    for field in SCALAR_FIELDS:
        s_value = lookup(sent, field)
        if s_value is _MISSING:
            continue
        g_value = lookup(got, field)
        if g_value is _MISSING:
            out.append(f"{field}: missing in dump (sent {show(s_value)})")
        elif not same_value(s_value, g_value):
            out.append(f"{field}: sent {show(s_value)}, dump has {show(g_value)}")
    if "attributes" in sent:
        diff_attributes("attributes", sent["attributes"], got.get("attributes", _MISSING), out)
    if "resource" in sent:
        diff_attributes("resource.attributes", sent["resource"]["attributes"],
                        lookup(got, "resource.attributes"), out)
    if "events" in sent:
        diff_list("events", sent["events"], got.get("events", _MISSING),
                  ("name", "time_unix_nano", "attributes"), out)
    if "links" in sent:
        diff_list("links", sent["links"], got.get("links", _MISSING),
                  ("trace_id", "span_id", "trace_state", "attributes"), out)
    return out


def span_label(span):
    return f"span {span.get('name')!r} [{span.get('span_id')}]"


def diff_trace_shape(trace_id, sent_spans, dump_traces, out):
    """roots and orphans as the sink computed them, against the sent parent links."""
    ids = {s["span_id"] for s in sent_spans}
    want = {
        "roots": sorted(s["span_id"] for s in sent_spans if not s["parent_span_id"]),
        "orphans": sorted(s["span_id"] for s in sent_spans
                          if s["parent_span_id"] and s["parent_span_id"] not in ids),
        "duplicate_span_ids": [],
    }
    for trace in dump_traces:
        for field, expected in want.items():
            if field not in trace:
                if field != "duplicate_span_ids":  # not part of the documented dump contract
                    out.append(f"trace {trace_id}: '{field}' missing in dump")
                continue
            got = trace[field]
            if not isinstance(got, list) or sorted(map(str, got)) != expected:
                out.append(f"trace {trace_id}: {field}: sent spans give {expected}, "
                           f"dump has {got!r}")


def compare(sent_spans, dump_traces):
    """Differences between the sent spans and the dumped traces; [] when they match."""
    out = []
    sent_by_key = {}
    sent_by_trace = defaultdict(list)
    for s in sent_spans:
        key = (s["trace_id"], s["span_id"])
        if key in sent_by_key:
            out.append(f"{span_label(s)}: sent twice (sender record is inconsistent)")
        sent_by_key[key] = s
        sent_by_trace[s["trace_id"]].append(s)

    dump_by_key = defaultdict(list)
    dump_objects_by_trace = defaultdict(list)
    for trace in dump_traces:
        trace_id = trace.get("trace_id")
        dump_objects_by_trace[trace_id].append(trace)
        for span in trace["spans"]:
            if not isinstance(span, dict):
                out.append(f"trace {trace_id}: dump holds a span that is not an object: "
                           f"{span!r}")
                continue
            if span.get("trace_id") != trace_id:
                out.append(f"{span_label(span)}: has trace_id {span.get('trace_id')!r} but "
                           f"is dumped under trace {trace_id!r}")
            dump_by_key[(span.get("trace_id"), span.get("span_id"))].append(span)

    for trace_id, objects in sorted(dump_objects_by_trace.items(), key=lambda kv: str(kv[0])):
        if trace_id not in sent_by_trace:
            names = [s.get("name") for t in objects for s in t["spans"] if isinstance(s, dict)]
            out.append(f"trace {trace_id}: in dump but not sent (spans {names})")
        elif len(objects) > 1:
            out.append(f"trace {trace_id}: dumped as {len(objects)} separate trace objects, "
                       f"want 1")

    for trace_id, spans in sent_by_trace.items():
        if trace_id not in dump_objects_by_trace:
            out.append(f"trace {trace_id}: sent ({len(spans)} spans) but not in dump")
        for s in spans:
            got = dump_by_key.get((trace_id, s["span_id"]), [])
            if not got:
                out.append(f"{span_label(s)}: sent but missing from dump (trace {trace_id})")
                continue
            if len(got) > 1:
                out.append(f"{span_label(s)}: appears {len(got)} times in dump")
            out.extend(f"{span_label(s)}: {d}" for d in diff_span(s, got[0]))
        if trace_id in dump_objects_by_trace:
            diff_trace_shape(trace_id, spans, dump_objects_by_trace[trace_id], out)

    for (trace_id, span_id), got in dump_by_key.items():
        if (trace_id, span_id) not in sent_by_key and trace_id in sent_by_trace:
            out.append(f"{span_label(got[0])}: in dump but not sent (trace {trace_id})")
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        sent = json.load(f)["spans"]
    traces, problems = load_dump(argv[2])
    diffs = problems + compare(sent, traces)
    for d in diffs:
        print(d)
    print(f"{len(sent)} spans sent, {sum(len(t['spans']) for t in traces)} spans in "
          f"{len(traces)} dumped traces, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
