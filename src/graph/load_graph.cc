// YAML -> ServiceGraph. Two passes: the first reads every node (types, keys, values, each with
// its own position); the second checks what only the whole graph can tell (call targets, queue
// publishers, fault targets, call cycles). The first mistake found throws a LoadError. The
// first pass is four readers, one per part of the file: latencies and route keys (GraphReader),
// steps (StepParser), faults (FaultParser), services and the graph (Parser).
#include "graph/load_graph.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "config/yaml_reader.h"
#include "graph/load_app.h"

namespace traceproof {
namespace {

const std::vector<std::string> kStepKinds = {"call",    "db",    "error", "parallel",
                                             "publish", "sleep", "work"};
const std::vector<std::string> kFaultKinds = {"clock_skew",           "detached_span",
                                              "drop_traceparent",     "error",
                                              "exporter_outage",      "high_cardinality",
                                              "ignore_queue_headers", "latency",
                                              "nack_first",           "reset",
                                              "strip_queue_headers",  "timeout"};
const std::vector<std::string> kFaultCommonKeys = {"from",    "rate", "route",
                                                   "service", "to",   "until"};

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

bool IsMethod(std::string_view method) {
  return !method.empty() &&
         std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// "INSERT INTO orders (id) VALUES (?)" -> "INSERT orders": the operation, then the table that
// follows INTO/FROM/UPDATE/JOIN (the OpenTelemetry database span name convention).
std::string DefaultDbSpanName(std::string_view statement) {
  const std::vector<std::string> words = SplitWords(statement);
  if (words.empty()) return "";
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string word = Upper(words[i]);
    if (word != "INTO" && word != "FROM" && word != "UPDATE" && word != "JOIN") continue;
    std::string table = words[i + 1];
    table = table.substr(0, table.find_first_of("(,;"));
    if (!table.empty()) return words[0] + " " + table;
  }
  return words[0];
}

// What every part of the graph's reader shares: latencies, "METHOD /path" keys, switches.
class GraphReader : public YamlReader {
 public:
  explicit GraphReader(const std::string& file) : YamlReader(file) {}
  using YamlReader::Fail;

  Latency ParseLatency(const YAML::Node& node, const SourcePos& pos) {
    Latency latency;
    if (node.IsScalar()) {
      latency.a = Duration(node, pos);
      if (latency.a < Nanos(0)) {
        Fail(pos, "negative latency '" + node.Scalar() + "': want a duration >= 0");
      }
      return latency;
    }
    if (!node.IsMap()) {
      Fail(pos,
           "want a latency (a duration like 8ms, or a map like {dist: lognormal, p50: 10ms, "
           "p99: 80ms}), got " +
               Describe(node));
    }
    const std::string dist = LatencyDist(node, pos);
    const auto [first, second] = LatencyParameters(dist, latency);
    std::vector<std::string> allowed = {"dist", first, "spike"};
    if (!second.empty()) allowed.push_back(second);
    const std::vector<Field> fields =
        Fields(node, pos, "a latency", "in latency '" + dist + "'", allowed);
    const Field* a = Find(fields, first);
    const Field* b = second.empty() ? nullptr : Find(fields, second);
    if (!a) Fail(pos, dist + " latency needs '" + first + "'");
    if (!second.empty() && !b) Fail(pos, dist + " latency needs '" + second + "'");
    latency.a = NonNegativeDuration(*a, "latency");
    if (b) latency.b = NonNegativeDuration(*b, "latency");
    CheckLatencyOrder(latency, *a, b);
    if (const Field* spike = Find(fields, "spike")) ParseSpike(*spike, latency);
    return latency;
  }
  Latency ParseLatency(const Field& field) { return ParseLatency(field.value, Pos(field)); }

  // "POST /orders" -> {"POST", "/orders"}; `text` comes from `pos` and `what` names it.
  std::pair<std::string, std::string> MethodAndPath(const std::vector<std::string>& words,
                                                    const std::string& text,
                                                    const std::string& what, const SourcePos& pos,
                                                    const std::string& example) {
    if (words.size() == 1 && words[0].starts_with('/')) {
      Fail(pos, what + " '" + text + "' has no method: want " + example);
    }
    if (words.size() == 1) Fail(pos, what + " '" + text + "' has no path: want " + example);
    if (words.size() != 2) Fail(pos, "bad " + what + " '" + text + "': want " + example);
    if (!IsMethod(words[0])) {
      Fail(pos, "bad method '" + words[0] + "' in " + what + " '" + text +
                    "': want an uppercase HTTP method, e.g. GET or POST");
    }
    if (!words[1].starts_with('/')) {
      Fail(pos,
           "bad path '" + words[1] + "' in " + what + " '" + text + "': a path starts with '/'");
    }
    return {words[0], words[1]};
  }

  std::pair<std::string, std::string> RouteKey(const YAML::Node& node, const SourcePos& pos) {
    if (!node.IsScalar()) Fail(pos, "want a route 'METHOD /path', got " + Describe(node));
    const std::string text = node.Scalar();
    return MethodAndPath(SplitWords(text), text, "route key", pos,
                         "'METHOD /path', e.g. "
                         "'POST /orders'");
  }

  // A boolean fault kind is switched on by `true`; `false` would be a fault that does nothing.
  void RequireTrue(const Field& field) {
    if (!Bool(field)) {
      Fail(field, "'" + field.name + ": false' injects nothing; remove the fault instead");
    }
  }

 private:
  // The `dist:` of a latency map; a map without one is a fixed latency given as `value:`.
  std::string LatencyDist(const YAML::Node& node, const SourcePos& pos) {
    const YAML::Node dist_node = node["dist"];
    if (!dist_node.IsDefined()) {
      if (!node["value"].IsDefined()) {
        Fail(pos,
             "a latency map needs 'dist' (fixed, lognormal, normal, uniform), or 'value' for "
             "a fixed latency");
      }
      return "fixed";
    }
    if (!dist_node.IsScalar())
      Fail(dist_node, "want a string for 'dist', got " + Describe(dist_node));
    std::string dist = dist_node.Scalar();
    const std::vector<std::string> dists = {"fixed", "lognormal", "normal", "uniform"};
    if (std::find(dists.begin(), dists.end(), dist) == dists.end()) {
      Fail(dist_node, "unknown dist '" + dist + "'; expected one of: " + Join(dists) +
                          DidYouMean(dist, dists));
    }
    return dist;
  }

  // Sets `latency.dist` from its name; returns the names of the parameters that go to a and b.
  static std::pair<std::string, std::string> LatencyParameters(const std::string& dist,
                                                               Latency& latency) {
    if (dist == "fixed") {
      latency.dist = Latency::Dist::kFixed;
      return {"value", ""};
    }
    if (dist == "uniform") {
      latency.dist = Latency::Dist::kUniform;
      return {"min", "max"};
    }
    if (dist == "normal") {
      latency.dist = Latency::Dist::kNormal;
      return {"mean", "stddev"};
    }
    latency.dist = Latency::Dist::kLognormal;
    return {"p50", "p99"};
  }

  void CheckLatencyOrder(const Latency& latency, const Field& a, const Field* b) {
    if (latency.dist == Latency::Dist::kUniform && latency.a > latency.b) {
      Fail(*b, "uniform max (" + b->value.Scalar() + ") is less than min (" + a.value.Scalar() +
                   "): want min <= max");
    }
    if (latency.dist == Latency::Dist::kLognormal) {
      if (latency.a <= Nanos(0)) Fail(a, "lognormal p50 must be > 0");
      if (latency.b < latency.a) {
        Fail(*b, "lognormal p99 (" + b->value.Scalar() + ") is less than p50 (" + a.value.Scalar() +
                     "): want 0 < p50 <= p99");
      }
    }
  }

  void ParseSpike(const Field& spike, Latency& latency) {
    const std::vector<Field> spike_fields =
        Fields(spike.value, Pos(spike), "'spike'", "in spike", {"add", "every"});
    const Field* every = Find(spike_fields, "every");
    const Field* add = Find(spike_fields, "add");
    if (!every || !add) {
      Fail(spike,
           "spike needs 'every' (a count) and 'add' (a duration), e.g. "
           "{every: 100, add: 500ms}");
    }
    latency.spike_every =
        static_cast<std::uint64_t>(Int(*every, 1, std::numeric_limits<long long>::max()));
    latency.spike_add = NonNegativeDuration(*add, "spike");
  }
};

// Steps: one kind per step (work, sleep, call, db, publish, error, parallel) and its options.
class StepParser : public GraphReader {
 public:
  explicit StepParser(const std::string& file) : GraphReader(file) {}

  std::vector<Step> Steps(const Field& field, bool client_spans) {
    if (!field.value.IsSequence()) {
      Fail(field, "want a list of steps for '" + field.name + "', got " + Describe(field.value));
    }
    std::vector<Step> steps;
    for (const auto& item : field.value) steps.push_back(ParseStep(item, client_spans));
    return steps;
  }

  Step ParseStep(const YAML::Node& node, bool client_spans) {
    const SourcePos pos = Pos(node);
    const std::vector<Field> kinds = Fields(node, pos, "a step", "in step", kStepKinds);
    if (kinds.empty()) {
      Fail(pos, "step has no kind: want exactly one of " + Join(kStepKinds));
    }
    if (kinds.size() > 1) {
      Fail(kinds[1].key, "step has two kinds, '" + kinds[0].name + "' and '" + kinds[1].name +
                             "': a step does one thing; make it two steps");
    }
    const Field& kind = kinds[0];
    Step step;
    step.pos = pos;
    step.client_span = client_spans;
    if (kind.name == "work") {
      WorkStep(kind, step);
    } else if (kind.name == "sleep") {
      step.kind = Step::Kind::kSleep;
      step.latency = ParseLatency(kind);
    } else if (kind.name == "call") {
      CallStep(kind, step);
    } else if (kind.name == "db") {
      DbStep(kind, step);
    } else if (kind.name == "publish") {
      PublishStep(kind, step);
    } else if (kind.name == "error") {
      ErrorStep(kind, step);
    } else {
      step.kind = Step::Kind::kParallel;
      step.steps = Steps(kind, client_spans);
      if (step.steps.empty()) Fail(kind, "parallel needs at least one step");
    }
    return step;
  }

 private:
  // The names a step's options are given in messages: "step 'db'", "in step 'db'".
  static std::string What(const Field& kind) { return "step '" + kind.name + "'"; }
  static std::string Where(const Field& kind) { return "in step '" + kind.name + "'"; }

  void WorkStep(const Field& kind, Step& step) {
    step.kind = Step::Kind::kWork;
    step.name = "work";
    const YAML::Node& value = kind.value;
    // A map with `dist` or `value` is the latency itself; otherwise it is {name, latency}.
    if (value.IsMap() && !value["dist"].IsDefined() && !value["value"].IsDefined()) {
      const std::vector<Field> fields = Fields(value, What(kind), Where(kind), {"latency", "name"});
      if (const Field* f = Find(fields, "name")) step.name = String(*f);
      if (const Field* f = Find(fields, "latency")) step.latency = ParseLatency(*f);
    } else {
      step.latency = ParseLatency(kind);
    }
  }

  void CallStep(const Field& kind, Step& step) {
    step.kind = Step::Kind::kCall;
    if (kind.value.IsMap()) {
      const std::vector<Field> fields =
          Fields(kind.value, What(kind), Where(kind), {"client_span", "name", "to"});
      const Field* to = Find(fields, "to");
      if (!to) Fail(kind, "call needs 'to: SERVICE METHOD /path'");
      CallTarget(*to, step);
      if (const Field* f = Find(fields, "name")) step.name = String(*f);
      if (const Field* f = Find(fields, "client_span")) step.client_span = Bool(*f);
    } else {
      CallTarget(kind, step);
    }
    if (step.name.empty()) step.name = step.method + " " + step.service;
  }

  // "payments POST /charge" -> step.service, method, path.
  void CallTarget(const Field& field, Step& step) {
    const std::string text = String(field);
    std::vector<std::string> words = SplitWords(text);
    const std::string example = "'SERVICE METHOD /path', e.g. 'payments POST /charge'";
    if (words.size() < 2) Fail(field, "bad call '" + text + "': want " + example);
    step.service = words[0];
    words.erase(words.begin());
    std::tie(step.method, step.path) = MethodAndPath(words, text, "call", Pos(field), example);
  }

  void DbStep(const Field& kind, Step& step) {
    step.kind = Step::Kind::kDb;
    const std::vector<Field> fields = Fields(kind.value, Pos(kind), What(kind), Where(kind),
                                             {"latency", "name", "statement", "system"});
    const Field* statement = Find(fields, "statement");
    if (!statement) Fail(kind, "db step needs 'statement'");
    step.statement = String(*statement);
    if (SplitWords(step.statement).empty()) Fail(*statement, "db statement is empty");
    step.name = DefaultDbSpanName(step.statement);
    if (const Field* f = Find(fields, "name")) step.name = String(*f);
    if (const Field* f = Find(fields, "system")) step.db_system = String(*f);
    if (const Field* f = Find(fields, "latency")) step.latency = ParseLatency(*f);
  }

  void PublishStep(const Field& kind, Step& step) {
    step.kind = Step::Kind::kPublish;
    if (kind.value.IsMap()) {
      const std::vector<Field> fields =
          Fields(kind.value, What(kind), Where(kind), {"name", "queue"});
      const Field* queue = Find(fields, "queue");
      if (!queue) Fail(kind, "publish needs 'queue'");
      step.queue = String(*queue);
      if (const Field* f = Find(fields, "name")) step.name = String(*f);
    } else {
      step.queue = String(kind);
    }
    if (step.queue.empty()) Fail(kind, "publish needs a queue name");
    if (step.name.empty()) step.name = "publish " + step.queue;
  }

  void ErrorStep(const Field& kind, Step& step) {
    step.kind = Step::Kind::kError;
    if (kind.value.IsMap()) {
      const std::vector<Field> fields =
          Fields(kind.value, What(kind), Where(kind), {"message", "rate", "status"});
      if (const Field* f = Find(fields, "status")) {
        step.http_status = static_cast<int>(Int(*f, 100, 599));
      }
      if (const Field* f = Find(fields, "message")) step.message = String(*f);
      if (const Field* f = Find(fields, "rate")) step.rate = Rate(*f);
    } else {
      step.http_status = static_cast<int>(Int(kind, 100, 599));
    }
  }
};

// Faults: exactly one kind per fault, the keys every kind shares (service, route, to, rate, the
// window), then the kind's own value.
class FaultParser : public GraphReader {
 public:
  explicit FaultParser(const std::string& file) : GraphReader(file) {}

  Fault ParseFault(const YAML::Node& node) {
    Fault fault;
    fault.pos = Pos(node);
    std::vector<std::string> allowed = kFaultCommonKeys;
    allowed.insert(allowed.end(), kFaultKinds.begin(), kFaultKinds.end());
    const std::vector<Field> fields = Fields(node, "a fault", "in fault", allowed);
    const Field& kind = KindOf(fields, fault.pos);
    ParseScope(fields, kind, fault);
    ParseKind(kind, fault);
    return fault;
  }

  std::vector<Fault> ParseFaults(const YAML::Node& node, const SourcePos& pos) {
    std::vector<Fault> faults;
    if (node.IsNull()) return faults;  // `faults:` with every entry commented out
    if (!node.IsSequence()) Fail(pos, "want a list of faults, got " + Describe(node));
    for (const auto& item : node) faults.push_back(ParseFault(item));
    return faults;
  }

 private:
  const Field& KindOf(const std::vector<Field>& fields, const SourcePos& pos) {
    std::vector<const Field*> kinds;
    for (const Field& field : fields) {
      if (std::find(kFaultKinds.begin(), kFaultKinds.end(), field.name) != kFaultKinds.end()) {
        kinds.push_back(&field);
      }
    }
    if (kinds.empty()) Fail(pos, "fault has no kind: want exactly one of " + Join(kFaultKinds));
    if (kinds.size() > 1) {
      Fail(kinds[1]->key, "fault has two kinds, '" + kinds[0]->name + "' and '" + kinds[1]->name +
                              "': one fault does one thing; make it two faults");
    }
    return *kinds[0];
  }

  // What the fault applies to and when: service, route, to, rate, from and until.
  void ParseScope(const std::vector<Field>& fields, const Field& kind, Fault& fault) {
    const Field* service = Find(fields, "service");
    if (!service) Fail(fault.pos, "fault needs 'service' (the service it applies to)");
    fault.service = String(*service);
    if (const Field* f = Find(fields, "route")) {
      const auto [method, path] = RouteKey(f->value, Pos(*f));
      fault.route = method + " " + path;
    }
    if (const Field* f = Find(fields, "to")) {
      if (kind.name != "drop_traceparent") {
        Fail(f->key, "'to' applies only to drop_traceparent faults, not to '" + kind.name + "'");
      }
      fault.to = String(*f);
    }
    if (const Field* f = Find(fields, "rate")) fault.rate = Rate(*f);
    const Field* from = Find(fields, "from");
    const Field* until = Find(fields, "until");
    if (from) fault.from = NonNegativeDuration(*from, "'from'");
    if (until) fault.until = NonNegativeDuration(*until, "'until'");
    if (from && until && *fault.from >= *fault.until) {
      Fail(*until, "'until' (" + until->value.Scalar() + ") is not after 'from' (" +
                       from->value.Scalar() + "): want from < until");
    }
  }

  void ParseKind(const Field& kind, Fault& fault) {
    if (kind.name == "latency") {
      fault.kind = Fault::Kind::kLatency;
      fault.latency = ParseLatency(kind);
    } else if (kind.name == "error") {
      ErrorFault(kind, fault);
    } else if (kind.name == "timeout") {
      TimeoutFault(kind, fault);
    } else if (kind.name == "nack_first") {
      NackFirstFault(kind, fault);
    } else if (kind.name == "clock_skew") {
      fault.kind = Fault::Kind::kClockSkew;
      fault.skew = Duration(kind);  // either sign: a clock can run ahead or behind
    } else {
      RequireTrue(kind);
      static const std::map<std::string, Fault::Kind> kSwitches = {
          {"reset", Fault::Kind::kReset},
          {"drop_traceparent", Fault::Kind::kDropTraceparent},
          {"strip_queue_headers", Fault::Kind::kStripQueueHeaders},
          {"ignore_queue_headers", Fault::Kind::kIgnoreQueueHeaders},
          {"detached_span", Fault::Kind::kDetachedSpan},
          {"high_cardinality", Fault::Kind::kHighCardinality},
          {"exporter_outage", Fault::Kind::kExporterOutage},
      };
      fault.kind = kSwitches.at(kind.name);
    }
  }

  void ErrorFault(const Field& kind, Fault& fault) {
    fault.kind = Fault::Kind::kError;
    if (kind.value.IsMap()) {
      const std::vector<Field> error_fields =
          Fields(kind.value, "fault 'error'", "in fault 'error'", {"message", "status"});
      if (const Field* f = Find(error_fields, "status")) {
        fault.http_status = static_cast<int>(Int(*f, 100, 599));
      }
      if (const Field* f = Find(error_fields, "message")) fault.message = String(*f);
    } else {
      fault.http_status = static_cast<int>(Int(kind, 100, 599));
    }
  }

  void TimeoutFault(const Field& kind, Fault& fault) {
    fault.kind = Fault::Kind::kTimeout;
    bool on = false;
    if (kind.value.IsScalar() && YAML::convert<bool>::decode(kind.value, on)) {
      if (!on) RequireTrue(kind);
      fault.latency.a = std::chrono::seconds(30);
    } else {
      fault.latency = ParseLatency(kind);
      if (fault.latency.dist == Latency::Dist::kFixed && fault.latency.a == Nanos(0)) {
        Fail(kind, "a timeout of 0 holds nothing: want a duration > 0, or true for 30s");
      }
    }
  }

  void NackFirstFault(const Field& kind, Fault& fault) {
    fault.kind = Fault::Kind::kNackFirst;
    if (kind.value.IsMap()) {
      const std::vector<Field> nack_fields =
          Fields(kind.value, Pos(kind), "fault 'nack_first' (true or {every: N})",
                 "in fault 'nack_first'", {"every"});
      const Field* every = Find(nack_fields, "every");
      if (!every) Fail(kind, "nack_first needs 'every' (nack every N-th message), or true");
      fault.nack_every = static_cast<std::uint64_t>(Int(*every, 1, 1'000'000));
    } else {
      RequireTrue(kind);
    }
  }
};

// The graph: services (routes, consumers, options), then the faults.
class Parser : public StepParser {
 public:
  explicit Parser(const std::string& file) : StepParser(file) {}

  Route ParseRoute(const Field& entry, bool client_spans) {
    Route route;
    route.pos = Pos(entry.key);
    std::tie(route.method, route.path) = RouteKey(entry.key, route.pos);
    route.span_name = route.method + " " + route.path;
    if (entry.value.IsMap()) {
      const std::vector<Field> fields = Fields(entry.value, "route '" + entry.name + "'",
                                               "in route '" + entry.name + "'", {"name", "steps"});
      if (const Field* f = Find(fields, "name")) route.span_name = String(*f);
      if (const Field* f = Find(fields, "steps")) route.steps = Steps(*f, client_spans);
    } else if (entry.value.IsSequence()) {
      route.steps = Steps(entry, client_spans);
    } else {
      Fail(entry, "want a list of steps or a map {name, steps} for route '" + entry.name +
                      "', got " + Describe(entry.value));
    }
    return route;
  }

  Consumer ParseConsumer(const Field& entry, bool client_spans) {
    Consumer consumer;
    consumer.pos = Pos(entry.key);
    consumer.queue = entry.name;
    consumer.span_name = "process " + consumer.queue;
    if (entry.value.IsMap()) {
      const std::vector<Field> fields =
          Fields(entry.value, "consumer '" + entry.name + "'", "in consumer '" + entry.name + "'",
                 {"batch", "link", "name", "steps"});
      if (const Field* f = Find(fields, "name")) consumer.span_name = String(*f);
      if (const Field* f = Find(fields, "link")) consumer.link = Bool(*f);
      if (const Field* f = Find(fields, "batch")) {
        ParseBatch(*f, consumer);
        const Field* link = Find(fields, "link");
        if (link && !consumer.link) {
          Fail(*link,
               "a batch consumer's span processes several messages, so it cannot be the "
               "child of each producer: it links to every one; remove 'link: false'");
        }
        consumer.link = true;
      }
      if (const Field* f = Find(fields, "steps")) consumer.steps = Steps(*f, client_spans);
    } else if (entry.value.IsSequence()) {
      consumer.steps = Steps(entry, client_spans);
    } else {
      Fail(entry, "want a list of steps or a map {name, link, batch, steps} for consumer '" +
                      entry.name + "', got " + Describe(entry.value));
    }
    return consumer;
  }

  // `batch: 10` or `batch: { size: 10, wait: 50ms }`.
  void ParseBatch(const Field& field, Consumer& consumer) {
    constexpr long long kMaxBatch = 65535;  // an AMQP prefetch count is 16 bits
    if (!field.value.IsMap()) {
      consumer.batch_size = static_cast<std::size_t>(Int(field, 1, kMaxBatch));
      return;
    }
    const std::vector<Field> fields = Fields(
        field.value, Pos(field), "'batch' (a size, or {size, wait})", "in batch", {"size", "wait"});
    const Field* size = Find(fields, "size");
    if (!size)
      Fail(field, "batch needs 'size' (most messages per batch), e.g. {size: 10, wait: 50ms}");
    consumer.batch_size = static_cast<std::size_t>(Int(*size, 1, kMaxBatch));
    if (const Field* wait = Find(fields, "wait")) {
      consumer.batch_wait = NonNegativeDuration(*wait, "batch wait");
      if (consumer.batch_wait <= Nanos(0))
        Fail(*wait, "a batch wait of 0 never gathers a batch: want a duration > 0, e.g. 50ms");
    }
  }

  ServiceDef ParseService(const Field& entry) {
    ServiceDef service;
    service.name = entry.name;
    service.pos = Pos(entry.key);
    if (service.name.find_first_of(" \t\r\n") != std::string::npos) {
      Fail(entry.key, "service name '" + service.name +
                          "' has spaces: call steps name it as 'SERVICE METHOD /path'");
    }
    const std::vector<Field> fields = Fields(
        entry.value, Pos(entry), "service '" + entry.name + "'", "in service '" + entry.name + "'",
        {"app", "calls", "client_spans", "consumers", "external", "port", "routes", "tracing"});
    const Field* calls = Find(fields, "calls");
    if (Find(fields, "app")) return ParseAppService(fields, std::move(service));
    if (calls && !Find(fields, "external")) {
      Fail(calls->key,
           "'calls' is for an external or app service (what its own code calls); "
           "a mock service's calls are its call steps");
    }
    if (const Field* f = Find(fields, "external")) {
      service.external = String(*f);
      const auto colon = service.external.rfind(':');
      if (colon == std::string::npos || colon == 0 ||
          service.external.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
          colon + 1 == service.external.size()) {
        Fail(*f, "external '" + service.external + "': want HOST:PORT, e.g. 127.0.0.1:8080");
      }
      if (fields.size() > (calls ? 2u : 1u)) {
        Fail(entry.key, "service '" + service.name +
                            "' is external (traceproof does not run it): give it only "
                            "'external: HOST:PORT' (and 'calls')");
      }
      if (calls) service.calls = ReadCalls(*this, *calls, service.name, refs_);
      return service;
    }
    // Options first: client_spans is the default of every call step below, wherever it is.
    if (const Field* f = Find(fields, "tracing")) service.tracing = Bool(*f);
    if (const Field* f = Find(fields, "client_spans")) service.client_spans = Bool(*f);
    if (const Field* f = Find(fields, "port")) {
      service.port = static_cast<std::uint16_t>(Int(*f, 0, 65535));
    }
    if (const Field* f = Find(fields, "routes")) {
      for (const Field& route_entry : Entries(f->value, Pos(*f), "route 'METHOD /path' -> steps")) {
        Route route = ParseRoute(route_entry, service.client_spans);
        for (const Route& earlier : service.routes) {
          if (earlier.method == route.method && earlier.path == route.path) {
            Fail(route.pos, "duplicate route '" + route.method + " " + route.path +
                                "' (first at line " + std::to_string(earlier.pos.line) + ")");
          }
        }
        service.routes.push_back(std::move(route));
      }
    }
    if (const Field* f = Find(fields, "consumers")) {
      for (const Field& consumer_entry : Entries(f->value, Pos(*f), "queue -> steps")) {
        service.consumers.push_back(ParseConsumer(consumer_entry, service.client_spans));
      }
    }
    if (service.routes.empty() && service.consumers.empty()) {
      Fail(entry.key, "service '" + service.name +
                          "' has no routes and no consumers: give it 'routes:' (HTTP) or "
                          "'consumers:' (queue)");
    }
    return service;
  }

  // `app:` (and `calls:`): the user's program, started by the run; nothing else of a mock.
  ServiceDef ParseAppService(const std::vector<Field>& fields, ServiceDef service) {
    for (const Field& f : fields) {
      if (f.name == "external") {
        Fail(f.key, "service '" + service.name +
                        "' has both 'app' (traceproof starts it) and 'external' (it runs "
                        "elsewhere): keep one");
      }
      if (f.name == "routes" || f.name == "consumers") {
        Fail(f.key, "service '" + service.name + "' is an app: its routes and consumers are " +
                        "its own code; remove '" + f.name + "'");
      }
      if (f.name == "port") {
        Fail(f.key, "service '" + service.name + "' is an app: give its port as 'app: { port }'");
      }
      if (f.name == "tracing" || f.name == "client_spans") {
        Fail(f.key, "service '" + service.name + "' is an app: its tracing is its SDK's; remove '" +
                        f.name + "'");
      }
    }
    service.app = ReadAppSpec(*this, *Find(fields, "app"), service.name, refs_);
    if (const Field* calls = Find(fields, "calls"))
      service.calls = ReadCalls(*this, *calls, service.name, refs_);
    return service;
  }

  // Services named by apps and `calls:`, checked once every service is read.
  const std::vector<ServiceRef>& refs() const { return refs_; }

  ServiceGraph ParseGraph(const YAML::Node& root) {
    ServiceGraph graph;
    const std::vector<Field> fields =
        Fields(root, "the top level", "at the top level", {"faults", "scale", "services"});
    const Field* services = Find(fields, "services");
    if (!services) Fail(root, "missing 'services:' (a map of service name -> service)");
    if (const Field* f = Find(fields, "scale")) {
      graph.scale = Number(*f);
      if (!(graph.scale > 0)) Fail(*f, "'scale' must be > 0");
    }
    for (const Field& entry : Entries(services->value, Pos(*services), "service name -> service")) {
      graph.services.push_back(ParseService(entry));
    }
    if (graph.services.empty()) Fail(*services, "no services");
    if (const Field* f = Find(fields, "faults")) {
      graph.faults = FaultParser(file_).ParseFaults(f->value, Pos(*f));
    }
    return graph;
  }

 private:
  std::vector<ServiceRef> refs_;
};

// Checks across the whole graph, once every part has been read.
class GraphChecker {
 public:
  GraphChecker(const ServiceGraph& graph, const std::vector<ServiceRef>& refs)
      : graph_(graph), refs_(refs) {
    for (const ServiceDef& s : graph_.services) names_.push_back(s.name);
    std::sort(names_.begin(), names_.end());
  }

  void Check() {
    std::set<std::string> published;
    for (const ServiceDef& service : graph_.services) {
      for (const Route& route : service.routes) CheckSteps(route.steps, published);
      for (const Consumer& consumer : service.consumers) CheckSteps(consumer.steps, published);
    }
    for (const ServiceDef& service : graph_.services) {
      for (const Consumer& consumer : service.consumers) {
        if (published.contains(consumer.queue)) continue;
        const std::vector<std::string> queues(published.begin(), published.end());
        throw LoadError(consumer.pos, "consumer of queue '" + consumer.queue +
                                          "', but no step publishes to it; published queues are: " +
                                          (queues.empty() ? "(none)" : Join(queues)) +
                                          DidYouMean(consumer.queue, queues));
      }
    }
    for (const Fault& fault : graph_.faults) CheckFault(fault);
    for (const ServiceRef& ref : refs_) CheckRef(ref);
    CheckPorts();
    CheckCycles();
  }

 private:
  const ServiceDef& Service(std::string_view name, const SourcePos& pos,
                            const std::string& what) const {
    if (const ServiceDef* s = graph_.Find(name)) return *s;
    throw LoadError(pos, what + " unknown service '" + std::string(name) +
                             "'; services are: " + Join(names_) + DidYouMean(name, names_));
  }

  // A service traceproof does not mock: any route may be called on it.
  static bool RunsItsOwnCode(const ServiceDef& service) {
    return !service.external.empty() || service.app.has_value();
  }

  void CheckRef(const ServiceRef& ref) const {
    const ServiceDef& target =
        Service(ref.service, ref.pos, "in service '" + ref.from + "', " + ref.what + " names");
    if (!ref.route.empty()) RequireRoute(target, ref.route, ref.pos);
  }

  static std::vector<std::string> RouteKeys(const ServiceDef& service) {
    std::vector<std::string> keys;
    for (const Route& r : service.routes) keys.push_back(r.method + " " + r.path);
    return keys;
  }

  static int RouteIndex(const ServiceDef& service, std::string_view key) {
    for (std::size_t i = 0; i < service.routes.size(); ++i) {
      if (service.routes[i].method + " " + service.routes[i].path == key)
        return static_cast<int>(i);
    }
    return -1;
  }

  void RequireRoute(const ServiceDef& service, const std::string& key, const SourcePos& pos) const {
    if (RunsItsOwnCode(service) || RouteIndex(service, key) >= 0) return;
    const std::vector<std::string> keys = RouteKeys(service);
    throw LoadError(pos, "service '" + service.name + "' has no route '" + key +
                             "'; its routes are: " + (keys.empty() ? "(none)" : Join(keys)) +
                             DidYouMean(key, keys));
  }

  void CheckSteps(const std::vector<Step>& steps, std::set<std::string>& published) const {
    for (const Step& step : steps) {
      if (step.kind == Step::Kind::kCall) {
        RequireRoute(Service(step.service, step.pos, "call to"), step.method + " " + step.path,
                     step.pos);
      } else if (step.kind == Step::Kind::kPublish) {
        published.insert(step.queue);
      } else if (step.kind == Step::Kind::kParallel) {
        CheckSteps(step.steps, published);
      }
    }
  }

  void CheckFault(const Fault& fault) const {
    const ServiceDef& service = Service(fault.service, fault.pos, "fault names");
    if (RunsItsOwnCode(service)) {
      throw LoadError(fault.pos, "service '" + service.name + "' is " +
                                     (service.app ? "an app" : "external") +
                                     ": traceproof cannot inject faults into it; "
                                     "put the fault on the service that calls it");
    }
    if (!fault.route.empty()) RequireRoute(service, fault.route, fault.pos);
    if (!fault.to.empty()) Service(fault.to, fault.pos, "fault 'to' names");
    if (fault.kind == Fault::Kind::kNackFirst) {
      if (service.consumers.empty()) {
        throw LoadError(fault.pos, "nack_first applies to a service's queue consumers, and '" +
                                       service.name + "' has none");
      }
      if (!fault.route.empty()) {
        throw LoadError(fault.pos,
                        "nack_first applies to queue consumers, not to a route: "
                        "remove 'route'");
      }
    }
  }

  void CheckPorts() const {
    std::map<std::uint16_t, const ServiceDef*> used;
    for (const ServiceDef& service : graph_.services) {
      const std::uint16_t port = service.app ? service.app->port : service.port;
      if (port == 0) continue;
      auto [it, inserted] = used.emplace(port, &service);
      if (!inserted) {
        throw LoadError(service.pos, "port " + std::to_string(port) +
                                         " is already the port of service '" + it->second->name +
                                         "'");
      }
    }
  }

  // Depth-first over routes, following call steps (also inside parallel): a route reached again
  // while it is still on the path closes a cycle, which would recurse until timeouts.
  struct Node {
    std::size_t service;
    std::size_t route;
    auto operator<=>(const Node&) const = default;
  };

  std::string Label(const Node& node) const {
    const ServiceDef& s = graph_.services[node.service];
    const Route& r = s.routes[node.route];
    return s.name + " " + r.method + " " + r.path;
  }

  void CheckCycles() {
    for (std::size_t s = 0; s < graph_.services.size(); ++s) {
      for (std::size_t r = 0; r < graph_.services[s].routes.size(); ++r) Visit({s, r});
    }
  }

  void Visit(const Node& node) {
    if (done_.contains(node)) return;
    path_.push_back(node);
    VisitSteps(graph_.services[node.service].routes[node.route].steps);
    path_.pop_back();
    done_.insert(node);
  }

  void VisitSteps(const std::vector<Step>& steps) {
    for (const Step& step : steps) {
      if (step.kind == Step::Kind::kParallel) VisitSteps(step.steps);
      if (step.kind != Step::Kind::kCall) continue;
      const ServiceDef* target = graph_.Find(step.service);
      if (RunsItsOwnCode(*target)) continue;  // what it calls is beyond our graph
      const Node next{static_cast<std::size_t>(target - graph_.services.data()),
                      static_cast<std::size_t>(RouteIndex(*target, step.method + " " + step.path))};
      auto on_path = std::find(path_.begin(), path_.end(), next);
      if (on_path != path_.end()) {
        std::string cycle;
        for (auto it = on_path; it != path_.end(); ++it) cycle += Label(*it) + " -> ";
        throw LoadError(step.pos, "call cycle: " + cycle + Label(next));
      }
      Visit(next);
    }
  }

  const ServiceGraph& graph_;
  const std::vector<ServiceRef>& refs_;
  std::vector<std::string> names_;
  std::vector<Node> path_;
  std::set<Node> done_;
};

}  // namespace

ServiceGraph LoadServiceGraph(const YAML::Node& root, const std::string& file) {
  Parser parser(file);
  ServiceGraph graph = parser.ParseGraph(root);
  GraphChecker(graph, parser.refs()).Check();
  return graph;
}

ServiceGraph LoadServiceGraphFile(const std::string& path) {
  return LoadServiceGraph(LoadYamlFile(path), path);
}

Latency ParseLatency(const YAML::Node& node, const std::string& file) {
  Parser parser(file);
  return parser.ParseLatency(node, parser.Pos(node));
}

std::vector<Fault> ParseFaults(const YAML::Node& node, const std::string& file) {
  FaultParser parser(file);
  return parser.ParseFaults(node, parser.Pos(node));
}

}  // namespace traceproof
