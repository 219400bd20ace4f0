// The scenario loader: a full scenario lands in the right structure with the documented
// defaults, and each of the mistakes people make in scenario YAML is reported at the exact
// file:line:col of the offending node, with a message that says what to write instead.
#include "scenario/load_scenario.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string_view>

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Test YAML is written as raw strings that start on the line after `R"(`; dropping that first
// newline makes line 1 of the text line 1 of the file, so positions read off the source.
std::string Yaml(std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  return std::string(text);
}

// A fresh directory per test binary run, holding the scenario files the tests write.
const fs::path& TestDir() {
  static const fs::path dir = [] {
    fs::path d =
        fs::temp_directory_path() / ("traceproof_scenario_test_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

std::string WriteFile(const std::string& name, std::string_view text) {
  const fs::path path = TestDir() / name;
  fs::create_directories(path.parent_path());
  std::ofstream(path) << Yaml(text);
  return path.string();
}

// ---- mistakes ---------------------------------------------------------------------------------

struct Mistake {
  std::string name;      // test name suffix
  std::string yaml;      // the scenario, as a raw string
  std::string position;  // "LINE:COL" of the offending node
  std::string message;   // a substring of the message
};

void PrintTo(const Mistake& m, std::ostream* os) { *os << m.name; }

class ScenarioMistake : public ::testing::TestWithParam<Mistake> {};

TEST_P(ScenarioMistake, IsReportedAtItsPositionWithAHint) {
  const Mistake& m = GetParam();
  const std::string path = WriteFile(m.name + ".yaml", m.yaml);
  try {
    LoadScenarioFile(path);
    FAIL() << "loaded without error:\n" << Yaml(m.yaml);
  } catch (const LoadError& e) {
    const std::string what = e.what();
    EXPECT_TRUE(what.starts_with(path + ":" + m.position + ": "))
        << "want position " << m.position << ", got: " << what;
    EXPECT_NE(what.find(m.message), std::string::npos)
        << "want message containing \"" << m.message << "\", got: " << what;
  }
}

// clang-format off
const Mistake kMistakes[] = {
    {"SyntaxError", R"(
name: t
load: [ { route: "gateway POST /checkout", rate: 200/s
)", "3:1", "bad YAML"},
    {"TabIndentation", R"(
name: t
load:
	- { rate: 1/s }
)", "3:2", "bad YAML"},
    {"EmptyFile", "\n# nothing here\n", "1:1", "empty scenario"},
    {"UnknownTopLevelKeyWithDidYouMean", R"(
name: t
services: { preset: seed-checkout }
laod:
  - { route: "gateway POST /checkout", rate: 200/s, duration: 20s }
)", "3:1", "unknown key 'laod' at the top level; expected one of: broker, checks, "},
    {"DuplicateTopLevelKey", R"(
name: t
name: u
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "2:1", "duplicate key 'name'"},
    {"TopLevelIsAList", R"(
- name: t
)", "1:1", "want a map for the scenario"},
    {"MissingName", R"(
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "1:1", "missing 'name:'"},
    {"NameWithSpacesAndCapitals", R"(
name: Slow Checkout
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "1:7", "bad name 'Slow Checkout': want 1 to 64 lowercase letters, digits and '-' (it names "
           "results/<name>/), e.g. 'slow-checkout'"},
    {"MissingLoad", R"(
name: t
services: { preset: seed-checkout }
)", "1:1", "missing 'load:'"},
    {"EmptyLoad", R"(
name: t
services: { preset: seed-checkout }
load: []
)", "3:7", "'load' has no phases"},
    {"LoadIsAMap", R"(
name: t
services: { preset: seed-checkout }
load:
  route: "gateway POST /checkout"
)", "4:3", "want a list of phases for 'load', got a map (each phase starts with '-')"},
    {"UnknownPhaseKey", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 200/s, duraton: 20s }
)", "4:53", "unknown key 'duraton' in load phase 1; expected one of: arrival, connections, "
            "duration, from, rate, route, spans, timeout, to, traceparent (did you mean 'duration'?)"},
    {"TraceparentNotFresh", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 200/s, duration: 20s, traceparent: stale }
)", "4:81", "'traceparent' is 'stale': want 'fresh' (each request starts a new sampled trace)"},
    {"TraceparentOnSpanLoad", R"(
name: t
load:
  - { spans: { per_request: 10 }, rate: 1/s, duration: 1s, traceparent: fresh }
)", "3:60", "'traceparent' is for request phases, not span load"},
    {"UnknownArrival", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", arrival: constnt, rate: 200/s, duration: 20s }
)", "4:49", "unknown arrival 'constnt'; expected one of: constant, ramping, poisson (did you "
            "mean 'constant'?)"},
    {"RateIsAWord", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: fast, duration: 20s }
)", "4:46", "bad rate 'fast' for 'rate': want requests per second, minute or hour, e.g. 200/s"},
    {"RateWithoutUnit", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 200, duration: 20s }
)", "4:46", "(a rate needs its unit: '200/s')"},
    {"RateZero", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 0/s, duration: 20s }
)", "4:46", "'rate' is 0/s: want a rate > 0"},
    {"RateAboveTenMillionPerSecond", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 20M/s, duration: 20s }
)", "4:46", "'rate' is 20M/s: want at most 10M/s"},
    {"RateWithUnknownUnit", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 200/sec, duration: 20s }
)", "4:46", "bad rate '200/sec'"},
    {"NegativeDuration", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 200/s, duration: -5s }
)", "4:63", "'duration' is -5s: want a duration > 0"},
    {"DurationWithASpace", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 200/s, duration: 20 s }
)", "4:63", "bad duration '20 s': want a number with a unit (ns, us, ms, s, m)"},
    {"MissingDuration", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 200/s }
)", "4:5", "load phase 1 needs 'duration'"},
    {"RampingWithoutTo", R"(
name: t
services: { preset: seed-checkout }
load:
  - route: "gateway POST /checkout"
    arrival: ramping
    from: 200/s
    duration: 30s
)", "5:14", "arrival: ramping needs 'to', e.g. { arrival: ramping, from: 200/s, to: 2000/s"},
    {"RampingWithRate", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", arrival: ramping, rate: 200/s, duration: 30s }
)", "4:58", "a ramping phase goes 'from' -> 'to'; 'rate' is for constant and poisson phases"},
    {"RampingToZero", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", arrival: ramping, from: 10/s, to: 0/s, duration: 30s }
)", "4:74", "'to' is 0/s: want a rate > 0"},
    {"ConstantWithFrom", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", from: 200/s, rate: 200/s, duration: 20s }
)", "4:40", "'from' is for arrival: ramping; a constant phase has one 'rate' (arrival defaults to "
            "constant)"},
    {"PoissonWithoutRate", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", arrival: poisson, duration: 20s }
)", "4:5", "load phase 1 (poisson) needs 'rate'"},
    {"RouteToUnknownService", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gatewy POST /checkout", rate: 200/s, duration: 20s }
)", "4:14", "route names unknown service 'gatewy'; services are: auth, gateway, orders, payments, "
            "stripe (did you mean 'gateway'?)"},
    {"UnknownRoute", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway GET /checkout", rate: 200/s, duration: 20s }
)", "4:14", "service 'gateway' has no route 'GET /checkout'; its routes are: POST /checkout (did "
            "you mean 'POST /checkout'?)"},
    {"RouteWithLowercaseMethod", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway post /checkout", rate: 200/s, duration: 20s }
)", "4:14", "(did you mean 'POST /checkout'?)"},
    {"RouteWithoutService", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "POST /checkout", rate: 200/s, duration: 20s }
)", "4:14", "bad route 'POST /checkout': want 'SERVICE METHOD /path'"},
    {"RouteToExternalService", R"(
name: t
services:
  gateway:
    routes:
      "GET /": [ { call: "app GET /" } ]
  app: { external: "127.0.0.1:9" }
load:
  - { route: "app GET /", rate: 1/s, duration: 1s }
)", "8:14", "service 'app' is external (at 127.0.0.1:9; traceproof does not run it)"},
    {"FirstPhaseWithoutRoute", R"(
name: t
services: { preset: seed-checkout }
load:
  - { rate: 200/s, duration: 20s }
)", "4:5", "load phase 1 is the first request phase and has no 'route' (\"SERVICE METHOD "
           "/path\"): add e.g. route: \"gateway POST /checkout\", or 'spans:' for span load"},
    {"RouteAfterOnlySpanPhases", R"(
name: t
services: { preset: seed-checkout }
load:
  - { spans: { per_request: 10 }, rate: 10/s, duration: 1s }
  - { rate: 200/s, duration: 20s }
)", "5:5", "load phase 2 is the first request phase and has no 'route'"},
    {"RouteWithoutServices", R"(
name: t
load:
  - { route: "gateway POST /checkout", rate: 200/s, duration: 20s }
)", "1:1", "missing 'services:' (load phase 1 sends requests to 'gateway POST /checkout')"},
    {"SpansPerRequestZero", R"(
name: t
load:
  - { spans: { per_request: 0 }, rate: 10/s, duration: 1s }
)", "3:29", "'per_request' is 0, want 1..100000"},
    {"SpansUnknownKey", R"(
name: t
load:
  - { spans: { per_requests: 10 }, rate: 10/s, duration: 1s }
)", "3:16", "unknown key 'per_requests' in spans; expected one of: per_request, per_trace (did "
            "you mean 'per_request'?)"},
    {"SpansAndRoute", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", spans: { per_request: 10 }, rate: 1/s, duration: 1s }
)", "4:7", "a phase sends either requests ('route') or spans ('spans') to the sink, not both"},
    {"ConnectionsZero", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 200/s, duration: 20s, connections: 0 }
)", "4:81", "'connections' is 0, want 1..100000"},
    {"TimeoutZero", R"(
name: t
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 200/s, duration: 20s, timeout: 0 }
)", "4:77", "'timeout' is 0: want a duration > 0"},
    {"UnknownPreset", R"(
name: t
services: { preset: seed-chekout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "2:21", "unknown preset 'seed-chekout'; presets are: checkout-baseline, checkout-queue, "
            "seed-checkout (did you mean 'seed-checkout'?)"},
    {"ServicesAsAPresetName", R"(
name: t
services: seed-checkout
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "2:11", "(for a preset write: services: { preset: seed-checkout })"},
    {"ServicesFileMissing", R"(
name: t
services: { file: no-such-services.yaml }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "2:19", "services file 'no-such-services.yaml' not found"},
    {"ServicesPresetAndFile", R"(
name: t
services: { preset: seed-checkout, file: x.yaml }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "2:36", "services has both 'preset' and 'file': give one"},
    {"ServicesReferenceUnknownKey", R"(
name: t
services: { preset: seed-checkout, scael: 0.1 }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "2:36", "unknown key 'scael' in services (a preset or a file); expected one of: external, "
            "file, preset, scale (did you mean 'scale'?)"},
    {"TopLevelScaleWithPreset", R"(
name: t
services: { preset: seed-checkout }
scale: 0.1
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "3:1", "put it inside: services: { preset: ..., scale: 0.1 }"},
    {"ScaleZero", R"(
name: t
services: { preset: seed-checkout, scale: 0 }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "2:43", "'scale' must be > 0"},
    {"InlineServiceMistakeKeepsItsPosition", R"(
name: t
services:
  gateway:
    routes:
      "POST /checkout":
        - cal: auth POST /validate-token
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "6:11", "unknown key 'cal' in step"},
    {"FaultForUnknownServiceOfAPreset", R"(
name: t
services: { preset: seed-checkout }
faults:
  - { service: strpe, latency: 390ms }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "4:5", "fault names unknown service 'strpe'; services are: auth, gateway, orders, payments, "
           "stripe (did you mean 'stripe'?)"},
    {"FaultForUnknownRouteOfAPreset", R"(
name: t
services: { preset: seed-checkout }
faults:
  - { service: stripe, route: "POST /v1/charge", error: 502 }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "4:5", "service 'stripe' has no route 'POST /v1/charge'; its routes are: POST /v1/charges"},
    {"FaultForUnknownServiceInline", R"(
name: t
services:
  gateway: { routes: { "GET /": [ { sleep: 1ms } ] } }
faults:
  - { service: gatway, error: 500 }
load: [ { route: "gateway GET /", rate: 1/s, duration: 1s } ]
)", "5:5", "unknown service 'gatway'"},
    {"FaultBadLatency", R"(
name: t
services: { preset: seed-checkout }
faults:
  - { service: stripe, latency: { dist: lognormal, p50: 390ms, p99: 100ms } }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "4:69", "lognormal p99 (100ms) is less than p50 (390ms)"},
    {"FaultsWithoutServices", R"(
name: t
faults: []
load: [ { spans: { per_request: 1 }, rate: 1/s, duration: 1s } ]
)", "2:1", "'faults:' needs 'services:'"},
    {"UnknownSampler", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
sampling:
  head: { sampler: parentbased_traceidratoi, ratio: 0.25 }
)", "5:20", "unknown sampler 'parentbased_traceidratoi'; expected one of: always_on, always_off, "
            "traceidratio, parentbased_always_on, parentbased_always_off, "
            "parentbased_traceidratio (did you mean 'parentbased_traceidratio'?)"},
    {"RatioAboveOne", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
sampling:
  head: { sampler: traceidratio, ratio: 1.5 }
)", "5:41", "'ratio' is 1.5: want a share of traces in [0, 1]"},
    {"RatioMissing", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
sampling:
  head: { sampler: traceidratio }
)", "5:20", "sampler 'traceidratio' needs 'ratio'"},
    {"RatioWithoutTraceIdRatio", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
sampling:
  head: { sampler: always_on, ratio: 0.5 }
)", "5:31", "'ratio' applies only to traceidratio and parentbased_traceidratio, not to "
            "'always_on'"},
    {"SamplingUnknownKey", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
sampling:
  heads: { sampler: always_on }
)", "5:3", "unknown key 'heads' in sampling; expected one of: head, overrides (did you mean "
           "'head'?)"},
    {"OverrideForUnknownService", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
sampling:
  overrides:
    paymnts: { sampler: always_on }
)", "6:5", "sampling override for unknown service 'paymnts'; services are: auth, gateway, "
           "orders, payments, stripe (did you mean 'payments'?)"},
    {"OverrideWithoutSampler", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
sampling:
  overrides:
    payments: { ratio: 0.5 }
)", "6:15", "the sampler of 'payments' needs 'sampler'"},
    {"CheckEntryWithTwoKeys", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
checks:
  - structure: {}
    propagation: {}
)", "6:5", "check entry has two keys, 'structure' and 'propagation': one check per entry"},
    {"CheckEntryIsAString", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
checks:
  - propagation
)", "5:5", "want a check (a map with one key, the check kind), got 'propagation'"},
    {"UnknownCheckKind", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
checks:
  - propagaton: {}
)", "5:5", "propagaton"},
    {"CheckBadComparison", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
checks:
  - propagation: { broken_traces: "=< 0" }
)", "5:35", "bad comparison '=< 0': want an operator"},
    {"CheckBadSelector", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
checks:
  - structure: { select: 'span[servce="payments"]' }
)", "5:26", "bad selector 'span[servce=\"payments\"]': column 6: unknown field 'servce'"},
    {"CheckUnknownOption", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
checks:
  - propagation: { broken_trace: "== 0" }
)", "5:20", "unknown key 'broken_trace' in the propagation check"},
    {"ExpectUnknownVerdict", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
expect: { verdict: maybe }
)", "4:20", "unknown verdict 'maybe'; expected pass or fail"},
    {"ExpectFailWithoutChecks", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
expect: { verdict: fail }
)", "4:20", "verdict: fail, but the scenario has no 'checks:' that could fail"},
    {"ExpectFailingKindNotAmongChecks", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
checks:
  - structure: { select: 'span[service="payments"]' }
expect: { verdict: fail, failing: [ propagation ] }
)", "6:37", "expect failing 'propagation', but the scenario has no 'propagation' check; its "
            "checks are: structure"},
    {"ExpectFailingWithVerdictPass", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
checks:
  - structure: { select: 'span[service="payments"]' }
expect: { failing: [ structure ] }
)", "6:11", "'failing' names checks that must fail: add verdict: fail"},
    {"NegativeWarmup", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
warmup: -1s
)", "4:9", "negative warmup '-1s': want a duration >= 0"},
    {"DrainUnknownKey", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
drain: { quite: 1s }
)", "4:10", "unknown key 'quite' in drain; expected one of: max, quiet (did you mean 'quiet'?)"},
    {"DrainMaxShorterThanQuiet", R"(
name: t
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
drain: { quiet: 2s, max: 1s }
)", "4:26", "drain 'max' is shorter than 'quiet'"},
    {"CollectorWithoutConfig", R"(
name: t
collector: { ready_timeout: 5s }
load: [ { spans: { per_request: 1 }, rate: 1/s, duration: 1s } ]
)", "2:12", "'collector' needs 'config'"},
    {"CollectorConfigNotFound", R"(
name: t
collector: { config: no-such-config.yaml }
load: [ { spans: { per_request: 1 }, rate: 1/s, duration: 1s } ]
)", "2:22", "Collector config 'no-such-config.yaml' not found"},
    {"CollectorUnknownKey", R"(
name: t
collector: { confg: x.yaml }
load: [ { spans: { per_request: 1 }, rate: 1/s, duration: 1s } ]
)", "2:14", "did you mean 'config'"},
    {"CollectorFaultWithoutCollector", R"(
name: t
services: { preset: seed-checkout }
faults:
  - { collector: kill, at: 5s }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "4:5", "needs a Collector"},
    {"CollectorFaultUnknownKind", R"(
name: t
services: { preset: seed-checkout }
faults:
  - { collector: crash, at: 5s }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "4:18", "unknown collector fault 'crash'; expected one of: kill"},
    {"CollectorFaultWithoutAt", R"(
name: t
services: { preset: seed-checkout }
faults:
  - { collector: kill }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "4:5", "needs 'at'"},
    {"CollectorFaultRestartAfterWithoutRestart", R"(
name: t
services: { preset: seed-checkout }
faults:
  - { collector: kill, at: 5s, restart_after: 2s }
load: [ { route: "gateway POST /checkout", rate: 200/s, duration: 20s } ]
)", "4:32", "'restart_after' needs restart: true"},
    {"BrokerFaultWithoutBroker", R"(
name: t
services: { preset: checkout-queue }
faults:
  - { broker: restart, at: 3s }
load: [ { route: "gateway POST /checkout", rate: 20/s, duration: 8s } ]
)", "4:5", "a 'broker:' fault needs a broker traceproof starts: add 'broker: rabbitmq'"},
    {"BrokerFaultUnknownKind", R"(
name: t
services: { preset: checkout-queue }
faults:
  - { broker: crash, at: 3s }
broker: rabbitmq
load: [ { route: "gateway POST /checkout", rate: 20/s, duration: 8s } ]
)", "4:15", "unknown broker fault 'crash'; expected one of: restart"},
    {"BrokerFaultWithoutAt", R"(
name: t
services: { preset: checkout-queue }
faults:
  - { broker: restart, after: 3s }
broker: rabbitmq
load: [ { route: "gateway POST /checkout", rate: 20/s, duration: 8s } ]
)", "4:24", "unknown key 'after' in a broker fault"},
    {"BrokerFaultOnARunningBroker", R"(
name: t
services: { preset: checkout-queue }
faults:
  - { broker: restart, at: 3s }
broker: { amqp: "amqp://127.0.0.1:5672" }
load: [ { route: "gateway POST /checkout", rate: 20/s, duration: 8s } ]
)", "4:5", "'broker: restart' needs the broker traceproof starts"},
    {"ExternalServicesWithoutAdmin", R"(
name: t
services:
  preset: checkout-baseline
  external:
    endpoints: { gateway: "127.0.0.1:8080" }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "5:5", "services.external needs 'admin'"},
    {"ExternalEndpointForUnknownService", R"(
name: t
services:
  preset: checkout-baseline
  external:
    endpoints: { gatewy: "127.0.0.1:8080" }
    admin: "127.0.0.1:9000"
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "5:18", "unknown service 'gatewy'"},
    {"ExternalEndpointPortOutOfRange", R"(
name: t
services:
  preset: checkout-baseline
  external:
    endpoints: { gateway: "127.0.0.1:80800" }
    admin: "127.0.0.1:9000"
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "5:27", "'127.0.0.1:80800': want HOST:PORT with a port 1-65535"},
    {"ExternalAdminVariableUnsetWithoutDefault", R"(
name: t
services:
  preset: checkout-baseline
  external:
    endpoints: { gateway: "127.0.0.1:8080" }
    admin: "${TRACEPROOF_TEST_SURELY_UNSET}"
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "6:12", "${TRACEPROOF_TEST_SURELY_UNSET} is not set and has no default"},
    {"ExternalAdminDefaultWithoutPort", R"(
name: t
services:
  preset: checkout-baseline
  external:
    endpoints: { gateway: "127.0.0.1:8080" }
    admin: "${TRACEPROOF_TEST_SURELY_UNSET:-services}"
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "6:12", "'services' (from '${TRACEPROOF_TEST_SURELY_UNSET:-services}'): want HOST:PORT"},
    {"ExternalEndpointUnterminatedVariable", R"(
name: t
services:
  preset: checkout-baseline
  external:
    endpoints: { gateway: "${GATEWAY:-127.0.0.1:8080" }
    admin: "127.0.0.1:9000"
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "5:27", "unterminated '${'"},
    {"LoadToAServiceWithoutAnExternalEndpoint", R"(
name: t
services:
  preset: checkout-baseline
  external:
    endpoints: { orders: "127.0.0.1:8082" }
    admin: "127.0.0.1:9000"
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "7:9", "no address in services.external.endpoints"},
    {"FaultsWithExternalServices", R"(
name: t
services:
  preset: checkout-baseline
  external: { endpoints: { gateway: "127.0.0.1:8080" }, admin: "127.0.0.1:9000" }
faults:
  - { service: orders, latency: 10ms }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "5:1", "put the faults in the services file `traceproof serve` runs"},
    {"SamplingWithExternalServices", R"(
name: t
services:
  preset: checkout-baseline
  external: { endpoints: { gateway: "127.0.0.1:8080" }, admin: "127.0.0.1:9000" }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
sampling: { sampler: always_on }
)", "6:1", "give `traceproof serve` --sampler"},
    {"ExternalCollectorWithConfig", R"(
name: t
services: { preset: checkout-baseline }
collector: { endpoint: "127.0.0.1:4317", metrics: "http://127.0.0.1:8888/metrics", config: x.yaml }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:84", "'config' is for a Collector traceproof starts"},
    {"ExternalCollectorWithoutMetrics", R"(
name: t
services: { preset: checkout-baseline }
collector: { endpoint: "127.0.0.1:4317" }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:12", "an external Collector needs 'metrics'"},
    {"ExternalCollectorMetricsWithoutScheme", R"(
name: t
services: { preset: checkout-baseline }
collector: { endpoint: "127.0.0.1:4317", metrics: "127.0.0.1:8888/metrics" }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:51", "want an http:// URL"},
    {"ExternalCollectorMetricsPortMissing", R"(
name: t
services: { preset: checkout-baseline }
collector: { endpoint: "127.0.0.1:4317", metrics: "http://otel-collector/metrics" }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:51", "'otel-collector': want HOST:PORT"},
    {"MetricsWithoutEndpoint", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: x.yaml, metrics: "http://127.0.0.1:8888/metrics" }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:30", "'metrics' is for an external Collector"},
    {"CollectorKillOnAnExternalCollector", R"(
name: t
services: { preset: checkout-baseline }
collector: { endpoint: "127.0.0.1:4317", metrics: "http://127.0.0.1:8888/metrics" }
faults:
  - { collector: kill, at: 1s }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "5:5", "cannot kill one it does not own"},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(All, ScenarioMistake, ::testing::ValuesIn(kMistakes),
                         [](const ::testing::TestParamInfo<Mistake>& info) {
                           return info.param.name;
                         });

TEST(LoadScenario, ErrorsInAReferencedServicesFileNameThatFile) {
  const std::string services = WriteFile("bad-services/services.yaml", R"(
services:
  gateway:
    routes:
      "POST /checkout": [ { sleeep: 1ms } ]
)");
  const std::string scenario = WriteFile("bad-services/scenario.yaml", R"(
name: t
services: { file: services.yaml }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)");
  try {
    LoadScenarioFile(scenario);
    FAIL() << "loaded";
  } catch (const LoadError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with(services + ":4:29: unknown key 'sleeep'"))
        << e.what();
  }
}

TEST(LoadScenario, UnreadableFileIsALoadErrorNamingIt) {
  const std::string path = (TestDir() / "does-not-exist.yaml").string();
  try {
    LoadScenarioFile(path);
    FAIL() << "loaded";
  } catch (const LoadError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":0:0: cannot read: No such file or directory");
  }
}

// ---- what loads --------------------------------------------------------------------------------

Scenario LoadText(std::string_view text) {
  return LoadScenario(YAML::Load(Yaml(text)), "test.yaml");
}

TEST(LoadScenario, FullExampleLandsInTheStructure) {
  const Scenario s = LoadText(R"(
name: slow-checkout
description: "Stripe is slow"
services: { preset: seed-checkout, scale: 0.1 }
faults:
  - { service: stripe, latency: { dist: lognormal, p50: 390ms, p99: 600ms } }
load:
  - { route: "gateway POST /checkout", arrival: constant, rate: 200/s, duration: 20s }
  - { arrival: ramping, from: 0/s, to: 1.5k/s, duration: 30s, connections: 8, timeout: 2s }
  - { arrival: poisson, rate: 60/m, duration: 5s }
  - { spans: { per_request: 100, per_trace: 4 }, rate: 500/s, duration: 10s }
warmup: 2s
drain: { quiet: 250ms, max: 5s }
sampling:
  head: { sampler: parentbased_traceidratio, ratio: 0.25 }
  overrides:
    payments: { sampler: always_on }
    auth: { sampler: traceidratio, ratio: 1 }
checks:
  - structure: { select: 'span[name="charge-card"]', parent: 'span[service="orders"]' }
  - propagation: {}
expect: { verdict: fail, failing: [ propagation ] }
)");
  EXPECT_EQ(s.file, "test.yaml");
  EXPECT_EQ(s.name, "slow-checkout");
  EXPECT_EQ(s.description, "Stripe is slow");
  EXPECT_EQ(s.services_source, "preset seed-checkout");
  EXPECT_DOUBLE_EQ(s.services.scale, 0.1);
  ASSERT_EQ(s.services.services.size(), 5u);
  ASSERT_EQ(s.services.faults.size(), 1u);
  EXPECT_EQ(s.services.faults[0].service, "stripe");
  EXPECT_EQ(s.services.faults[0].latency.dist, Latency::Dist::kLognormal);
  EXPECT_EQ(s.services.faults[0].pos.line, 5);

  ASSERT_EQ(s.load.size(), 4u);
  EXPECT_EQ(s.load[0].arrival, LoadPhase::Arrival::kConstant);
  EXPECT_DOUBLE_EQ(s.load[0].rate_per_s, 200);
  EXPECT_EQ(s.load[0].duration, seconds(20));
  EXPECT_EQ(s.load[0].service, "gateway");
  EXPECT_EQ(s.load[0].method, "POST");
  EXPECT_EQ(s.load[0].path, "/checkout");
  EXPECT_EQ(s.load[0].connections, 0);
  EXPECT_EQ(s.load[0].timeout, seconds(10));
  EXPECT_EQ(s.load[0].pos.line, 7);
  EXPECT_EQ(s.load[0].pos.column, 5);

  EXPECT_EQ(s.load[1].arrival, LoadPhase::Arrival::kRamping);
  EXPECT_DOUBLE_EQ(s.load[1].from_per_s, 0);
  EXPECT_DOUBLE_EQ(s.load[1].to_per_s, 1500);
  EXPECT_EQ(s.load[1].connections, 8);
  EXPECT_EQ(s.load[1].timeout, seconds(2));
  EXPECT_EQ(s.load[1].service, "gateway");

  EXPECT_EQ(s.load[2].arrival, LoadPhase::Arrival::kPoisson);
  EXPECT_DOUBLE_EQ(s.load[2].rate_per_s, 1);

  EXPECT_TRUE(s.load[3].span_load);
  EXPECT_EQ(s.load[3].spans_per_request, 100);
  EXPECT_EQ(s.load[3].spans_per_trace, 4);
  EXPECT_TRUE(s.load[3].service.empty());

  EXPECT_EQ(s.warmup, seconds(2));
  EXPECT_EQ(s.drain_quiet, milliseconds(250));
  EXPECT_EQ(s.drain_max, seconds(5));

  EXPECT_EQ(s.sampling.sampler, "parentbased_traceidratio");
  EXPECT_EQ(s.sampling.arg, "0.25");
  ASSERT_TRUE(s.sampling.ratio.has_value());
  EXPECT_DOUBLE_EQ(*s.sampling.ratio, 0.25);
  ASSERT_EQ(s.sampling.overrides.size(), 2u);
  EXPECT_EQ(s.sampling.overrides[0].service, "payments");
  EXPECT_EQ(s.sampling.overrides[0].sampler, "always_on");
  EXPECT_EQ(s.sampling.overrides[0].arg, "");
  EXPECT_EQ(s.sampling.overrides[1].service, "auth");
  EXPECT_EQ(s.sampling.overrides[1].arg, "1");

  ASSERT_EQ(s.checks.size(), 2u);
  EXPECT_EQ(s.checks[0].kind, "structure");
  EXPECT_EQ(s.checks[0].pos.line, 19);
  EXPECT_EQ(s.checks[1].kind, "propagation");
  EXPECT_TRUE(std::holds_alternative<PropagationSpec>(s.checks[1].options));

  EXPECT_FALSE(s.expect.pass);
  EXPECT_EQ(s.expect.failing_kinds, std::vector<std::string>{"propagation"});
}

TEST(LoadScenario, AScenarioIsAValueThatCopies) {
  const Scenario original = LoadText(R"(
name: copied
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 10/s, duration: 1s } ]
checks:
  - structure: { select: span, count: ">= 3" }
  - hygiene: { max_cardinality: 20 }
)");
  Scenario copy = original;
  ASSERT_EQ(copy.checks.size(), 2u);
  EXPECT_EQ(copy.checks[0].kind, "structure");
  EXPECT_EQ(copy.checks[0].pos.line, original.checks[0].pos.line);
  EXPECT_EQ(std::get<StructureSpec>(copy.checks[0].options).count.text, ">= 3");
  EXPECT_EQ(std::get<HygieneSpec>(copy.checks[1].options).max_cardinality, 20);
  EXPECT_EQ(copy.load[0].path, "/checkout");
  EXPECT_NE(copy.services.Find("gateway"), nullptr);

  std::get<HygieneSpec>(copy.checks[1].options).max_cardinality = 5;
  copy.checks.pop_back();
  copy.load[0].rate_per_s = 99;
  EXPECT_EQ(original.checks.size(), 2u) << "the copy shares nothing with the original";
  EXPECT_EQ(std::get<HygieneSpec>(original.checks[1].options).max_cardinality, 20);
  EXPECT_DOUBLE_EQ(original.load[0].rate_per_s, 10);
}

TEST(LoadScenario, DefaultsAreTheDocumentedOnes) {
  const Scenario s = LoadText(R"(
name: minimal
services: { preset: checkout-baseline }
load: [ { route: "gateway POST /checkout", rate: 10/s, duration: 1s } ]
)");
  EXPECT_EQ(s.warmup, seconds(0));
  EXPECT_EQ(s.drain_quiet, milliseconds(500));
  EXPECT_EQ(s.drain_max, seconds(15));
  EXPECT_EQ(s.sampling.sampler, "parentbased_always_on");
  EXPECT_TRUE(s.sampling.overrides.empty());
  EXPECT_TRUE(s.checks.empty());
  EXPECT_TRUE(s.expect.pass);
  EXPECT_DOUBLE_EQ(s.services.scale, 1.0);
  EXPECT_EQ(s.load[0].arrival, LoadPhase::Arrival::kConstant);
}

TEST(LoadScenario, TraceparentFreshIsPerPhase) {
  const Scenario s = LoadText(R"(
name: fresh
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: 10/s, duration: 1s, traceparent: fresh }
  - { rate: 20/s, duration: 1s }
)");
  ASSERT_EQ(s.load.size(), 2u);
  EXPECT_TRUE(s.load[0].fresh_traceparent);
  EXPECT_FALSE(s.load[1].fresh_traceparent);
}

TEST(LoadScenario, PhaseWithoutRouteRepeatsTheLastRequestRoute) {
  const Scenario s = LoadText(R"(
name: inherit
services: { preset: seed-checkout }
load:
  - { route: "orders POST /orders", rate: 10/s, duration: 1s }
  - { spans: { per_request: 10 }, rate: 10/s, duration: 1s }
  - { rate: 20/s, duration: 1s }
  - { route: "auth POST /validate-token", rate: 10/s, duration: 1s }
  - { rate: 30/s, duration: 1s }
)");
  ASSERT_EQ(s.load.size(), 5u);
  EXPECT_EQ(s.load[2].service, "orders");
  EXPECT_EQ(s.load[2].path, "/orders");
  EXPECT_EQ(s.load[4].service, "auth");
  EXPECT_EQ(s.load[4].method, "POST");
  EXPECT_EQ(s.load[4].path, "/validate-token");
}

TEST(LoadScenario, PresetScaleOverridesTheFile) {
  const Scenario s = LoadText(R"(
name: scaled
services: { preset: seed-checkout, scale: 0.25 }
load: [ { route: "gateway POST /checkout", rate: 10/s, duration: 1s } ]
)");
  EXPECT_DOUBLE_EQ(s.services.scale, 0.25);
  EXPECT_EQ(s.services_source, "preset seed-checkout");
}

TEST(LoadScenario, ScenarioFaultsAreAddedToThePresetsOwn) {
  const Scenario s = LoadText(R"(
name: faults
services: { preset: seed-checkout }
faults:
  - { service: payments, drop_traceparent: true, to: stripe }
  - { service: stripe, route: "POST /v1/charges", error: { status: 502 }, rate: 10% }
load: [ { route: "gateway POST /checkout", rate: 10/s, duration: 1s } ]
)");
  ASSERT_EQ(s.services.faults.size(), 2u);
  EXPECT_EQ(s.services.faults[0].kind, Fault::Kind::kDropTraceparent);
  EXPECT_EQ(s.services.faults[1].http_status, 502);
  EXPECT_DOUBLE_EQ(s.services.faults[1].rate, 0.1);
}

TEST(LoadScenario, InlineServicesTakeTopLevelScaleAndFaults) {
  const Scenario s = LoadText(R"(
name: inline
services:
  front:
    routes:
      "GET /": [ { call: back GET /item } ]
  back:
    routes:
      "GET /item": [ { sleep: 5ms } ]
scale: 2
faults:
  - { service: back, error: 503 }
load: [ { route: "front GET /", rate: 5/s, duration: 1s } ]
)");
  EXPECT_EQ(s.services_source, "inline");
  EXPECT_DOUBLE_EQ(s.services.scale, 2);
  ASSERT_EQ(s.services.services.size(), 2u);
  EXPECT_EQ(s.services.services[0].pos.line, 3);
  ASSERT_EQ(s.services.faults.size(), 1u);
  EXPECT_EQ(s.services.faults[0].http_status, 503);
}

TEST(LoadScenario, ServicesFileIsRelativeToTheScenario) {
  WriteFile("relative/graph/services.yaml", R"(
services:
  api:
    routes:
      "GET /ping": [ { sleep: 1ms } ]
)");
  const std::string path = WriteFile("relative/scenario.yaml", R"(
name: relative
services: { file: graph/services.yaml, scale: 0.5 }
load: [ { route: "api GET /ping", rate: 1/s, duration: 1s } ]
)");
  const Scenario s = LoadScenarioFile(path);
  EXPECT_EQ(s.services_source, "file graph/services.yaml");
  EXPECT_DOUBLE_EQ(s.services.scale, 0.5);
  EXPECT_NE(s.services.Find("api"), nullptr);
}

TEST(LoadScenario, CollectorConfigIsRelativeToTheScenarioAndFaultsGoToIt) {
  WriteFile("collector/otel.yaml", "receivers: {}\n");
  const std::string path = WriteFile("collector/scenario.yaml", R"(
name: with-collector
services: { preset: seed-checkout }
faults:
  - { service: stripe, latency: 5ms }
  - { collector: kill, at: 3s, restart: true, restart_after: 500ms }
collector: { config: otel.yaml, binary: bin/otelcol, ready_timeout: 5s }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)");
  const Scenario s = LoadScenarioFile(path);
  ASSERT_TRUE(s.collector);
  EXPECT_EQ(s.collector->config, (fs::path(path).parent_path() / "otel.yaml").string());
  EXPECT_EQ(s.collector->binary, (fs::path(path).parent_path() / "bin/otelcol").string());
  EXPECT_EQ(s.collector->ready_timeout, std::chrono::seconds(5));
  ASSERT_EQ(s.collector->faults.size(), 1u);
  EXPECT_EQ(s.collector->faults[0].at, std::chrono::seconds(3));
  EXPECT_TRUE(s.collector->faults[0].restart);
  EXPECT_EQ(s.collector->faults[0].restart_after, std::chrono::milliseconds(500));
  // The service fault still reaches the services; the preset has none of its own.
  EXPECT_EQ(s.services.faults.size(), 1u);
}

TEST(LoadScenario, BrokerFaultsGoToTheBroker) {
  const Scenario s = LoadText(R"(
name: broker-restart
services: { preset: checkout-queue }
faults:
  - { broker: restart, at: 3s }
  - { service: orders, latency: 1ms }
broker: rabbitmq
load: [ { route: "gateway POST /checkout", rate: 20/s, duration: 8s } ]
)");
  ASSERT_TRUE(s.broker);
  EXPECT_TRUE(s.broker->start_rabbitmq);
  ASSERT_EQ(s.broker->faults.size(), 1u);
  EXPECT_EQ(s.broker->faults[0].at, std::chrono::seconds(3));
  EXPECT_EQ(s.broker->faults[0].pos.line, 4);
  EXPECT_EQ(s.services.faults.size(), 1u);  // the service fault still reaches the services
}

TEST(LoadScenario, SpanLoadNeedsNoServices) {
  const Scenario s = LoadText(R"(
name: spans-only
load:
  - { spans: { per_request: 512 }, arrival: ramping, from: 10/s, to: 5k/s, duration: 1m }
)");
  EXPECT_EQ(s.services_source, "none");
  EXPECT_TRUE(s.services.services.empty());
  EXPECT_EQ(s.load[0].spans_per_request, 512);
  EXPECT_EQ(s.load[0].spans_per_trace, 5);
  EXPECT_DOUBLE_EQ(s.load[0].to_per_s, 5000);
  EXPECT_EQ(s.load[0].duration, seconds(60));
}

TEST(ParseRatePerSecond, ReadsUnitsAndMultipliers) {
  EXPECT_EQ(ParseRatePerSecond("200/s"), 200.0);
  EXPECT_EQ(ParseRatePerSecond("1.5k/s"), 1500.0);
  EXPECT_EQ(ParseRatePerSecond("2M/s"), 2e6);
  EXPECT_EQ(ParseRatePerSecond("60/m"), 1.0);
  EXPECT_EQ(ParseRatePerSecond("3600/h"), 1.0);
  EXPECT_EQ(ParseRatePerSecond("0/s"), 0.0);
  EXPECT_EQ(ParseRatePerSecond("-5/s"), -5.0);
  EXPECT_EQ(ParseRatePerSecond("200"), std::nullopt);
  EXPECT_EQ(ParseRatePerSecond("fast"), std::nullopt);
  EXPECT_EQ(ParseRatePerSecond("/s"), std::nullopt);
  EXPECT_EQ(ParseRatePerSecond("200/sec"), std::nullopt);
  EXPECT_EQ(ParseRatePerSecond("200 /s"), std::nullopt);
  EXPECT_EQ(ParseRatePerSecond("1e3/s"), 1000.0);
}

}  // namespace
}  // namespace traceproof

namespace traceproof {
namespace {

TEST(LoadScenario, ExternalServicesAndCollectorTakeTheirAddressesFromTheEnvironment) {
  ::setenv("TRACEPROOF_TEST_GATEWAY", "mock-services:8080", 1);
  ::setenv("TRACEPROOF_TEST_EMPTY", "", 1);
  const std::string path = WriteFile("external.yaml", R"(
name: t
services:
  preset: checkout-baseline
  external:
    endpoints: { gateway: "${TRACEPROOF_TEST_GATEWAY:-127.0.0.1:8080}" }
    admin: "${TRACEPROOF_TEST_EMPTY:-127.0.0.1:9000}"
    ready_timeout: 2s
collector:
  endpoint: "${TRACEPROOF_TEST_SURELY_UNSET:-otel-collector:4317}"
  metrics: "http://${TRACEPROOF_TEST_GATEWAY}/custom/metrics"
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)");
  const Scenario s = LoadScenarioFile(path);
  ::unsetenv("TRACEPROOF_TEST_GATEWAY");
  ::unsetenv("TRACEPROOF_TEST_EMPTY");
  ASSERT_TRUE(s.external_services);
  ASSERT_EQ(s.external_services->endpoints.size(), 1u);
  EXPECT_EQ(s.external_services->endpoints.at("gateway").Text(), "mock-services:8080");
  // Set but empty takes the default, as the shell's `:-` does.
  EXPECT_EQ(s.external_services->admin.Text(), "127.0.0.1:9000");
  EXPECT_EQ(s.external_services->ready_timeout, std::chrono::seconds(2));
  ASSERT_TRUE(s.collector);
  EXPECT_TRUE(s.collector->external);
  EXPECT_EQ(s.collector->endpoint.Text(), "otel-collector:4317");
  EXPECT_EQ(s.collector->metrics.Text(), "mock-services:8080");
  EXPECT_EQ(s.collector->metrics_path, "/custom/metrics");
  EXPECT_TRUE(s.collector->config.empty());
  // The graph is still the preset's, so routes were checked against it.
  EXPECT_NE(s.services.Find("payments"), nullptr);
}

}  // namespace
}  // namespace traceproof
