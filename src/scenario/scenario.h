// A scenario as plain data: what system to start, what load to put on it, what faults to
// inject, what sampling to configure, and what must be true of the traces. Loaded and validated
// from YAML by LoadScenarioFile (load_scenario.h) with every element keeping its file:line:col;
// run by `traceproof run`. Documented, field by field, in docs/scenarios.md (a test keeps the two
// in step).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checks/check_spec.h"
#include "config/required_header.h"
#include "config/source_pos.h"
#include "graph/service_graph.h"
#include "receiver/tls.h"
#include "tracing/client_tls.h"

namespace traceproof {

// One phase of load. Either HTTP requests to a service route (the normal case) or, with
// `spans`, synthetic OTLP span load straight at the sink (no services; like telemetrygen).
struct LoadPhase {
  enum class Arrival { kConstant, kRamping, kPoisson };
  Arrival arrival = Arrival::kConstant;
  // Requests per second: constant/poisson use rate_per_s; ramping goes from_per_s -> to_per_s
  // linearly over the phase.
  double rate_per_s = 0;
  double from_per_s = 0;
  double to_per_s = 0;
  std::chrono::nanoseconds duration{0};
  // Requests: "SERVICE METHOD /path"; inherited from the previous phase when omitted.
  std::string service;
  std::string method;
  std::string path;
  // Span load: each arrival is one OTLP export request of `spans_per_request` spans.
  bool span_load = false;
  int spans_per_request = 0;
  int spans_per_trace = 5;
  int connections = 0;  // 0: the generator's default
  std::chrono::milliseconds timeout{10000};
  // `traceparent: fresh`: each request starts a trace of its own (a random sampled W3C
  // traceparent), so an entry service that is the user's app is judged as a child too.
  bool fresh_traceparent = false;
  SourcePos pos;
};

// Head sampling in every service (OTEL_TRACES_SAMPLER / _ARG names), plus per-service
// overrides, which is how a scenario injects a sampler bug (one service not parent-based). The
// `sampling:` section; the sampling check's options are SamplingSpec (checks/sampling_spec.h).
struct HeadSamplingSpec {
  std::string sampler = "parentbased_always_on";
  std::string arg;  // e.g. "0.25"
  std::optional<double> ratio;
  struct Override {
    std::string service;
    std::string sampler;
    std::string arg;
    SourcePos pos;
  };
  std::vector<Override> overrides;
  SourcePos pos;
};

// What the run is expected to conclude: scenarios that demonstrate a failure say so, and name
// the check kinds that must fail, so CI can assert the intended verdict.
struct Expectation {
  bool pass = true;
  std::vector<std::string> failing_kinds;  // with pass = false: each must have a failing check
  SourcePos pos;
};

// `collector: kill` in the faults list: the Collector is killed (SIGKILL, as in a crash) at
// `at` after the load starts, and started again on the same ports when `restart` is set.
struct CollectorFault {
  std::chrono::nanoseconds at{0};
  bool restart = false;
  std::chrono::nanoseconds restart_after{std::chrono::seconds(1)};
  SourcePos pos;
};

// A place on the network, as a scenario names it ("orders:8080", "127.0.0.1:9000"), after
// ${ENV:-default} expansion. The host may be a name; the runner resolves it.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  std::string Text() const { return host + ":" + std::to_string(port); }
};

// `services: { preset|file: ..., external: { endpoints: {...}, admin: HOST:PORT } }`: the
// services of that graph already run elsewhere (`traceproof serve --admin-port`, e.g. in Docker
// Compose). The run starts none: load goes to `endpoints`, and ground truth and exporter
// counters come from the admin endpoint for this run's time window. The graph still says what
// routes exist, so the scenario is validated as usual.
struct ExternalServicesSpec {
  std::map<std::string, HostPort> endpoints;  // service -> where it listens
  HostPort admin;
  std::chrono::milliseconds ready_timeout{30000};  // for the admin endpoint to answer
  SourcePos pos;
};

// A real OpenTelemetry Collector between the services and the sink: the user's config,
// unchanged, with endpoints from environment variables (process/collector_process.h). Or, with
// `endpoint`, one that already runs (external): not started, its metrics scraped before and
// after the run, and the differences reconciled.
struct CollectorSpec {
  std::string config;  // resolved path (relative ones are relative to the scenario file)
  std::string binary;  // resolved path; empty: our build (scripts/build-collector)
  bool external = false;
  HostPort endpoint;  // external: its OTLP/gRPC receiver (where in-process services export)
  HostPort metrics;   // external: its Prometheus endpoint
  std::string metrics_path = "/metrics";
  std::chrono::milliseconds ready_timeout{20000};
  std::vector<CollectorFault> faults;
  SourcePos pos;
};

// A message broker the services' queues go through instead of the in-process queue:
// `broker: rabbitmq` (traceproof starts its own for the run) or `broker: { amqp: URL }` (one
// that is already running).
// `broker: restart` in the faults list: the broker traceproof started is stopped and started
// again (same node, ports and data) at `at` after the load starts.
struct BrokerFault {
  std::chrono::nanoseconds at{0};
  SourcePos pos;
};

struct BrokerSpec {
  bool start_rabbitmq = false;
  std::string amqp_url;  // with start_rabbitmq false: the running broker
  std::vector<BrokerFault> faults;
  SourcePos pos;
};

// `sink: kill` in the faults list: sink `index`'s receivers stop (their ports close) at `at`
// after the load starts, and stay down: what the Collector routes to it from then on is lost.
struct SinkFault {
  int index = 0;
  std::chrono::nanoseconds at{0};
  SourcePos pos;
};

// `sink: { count: N }`: the sink tier. N embedded sinks (each its own receivers and counters,
// one trace store: the checks run over the union) behind a Collector traceproof starts, told
// their endpoints as TRACEPROOF_SINK_ENDPOINT_0 .. _N-1 (a loadbalancing exporter routes each
// trace to one of them). Without the section: one sink.
// `sink: { tls: { cert, key, client_ca, ca, client_cert, client_key, server_name } }`: the
// embedded sink's receivers over TLS (as `traceproof sink --tls-*`), and what the run's own
// senders (mock services, apps) trust and present to it. PEM text is read and checked at load.
struct SinkTlsSpec {
  ReceiverTls server;  // cert, key, client_ca
  // The mocks' side: the CAs they trust (`ca`, default the sink's own `cert`, pinned), a client
  // certificate when `client_ca` asks for one, and the name the sink's
  // certificate must carry (`server_name`, default localhost).
  ClientTls client;
  // The same as files, for the apps' OTEL_EXPORTER_OTLP_CERTIFICATE / _CLIENT_*.
  std::string ca_file, client_cert_file, client_key_file;
  SourcePos pos;
};

struct SinkTierSpec {
  int count = 1;
  std::optional<SinkTlsSpec> tls;
  // `require_headers: { authorization: "Bearer ${TOKEN}" }`: every sink of the run refuses
  // exports without them (401 / UNAUTHENTICATED), and the run's own senders (mock services,
  // apps, span load) send them. Values expanded from the environment at load; never printed.
  RequiredHeaders require_headers;
  std::vector<SinkFault> faults;
  SourcePos pos;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  ServiceGraph services;        // preset, file or inline; faults merged in
  std::string services_source;  // "preset seed-checkout", "file x.yaml", "inline"
  std::optional<ExternalServicesSpec> external_services;  // the services run elsewhere
  std::vector<LoadPhase> load;
  std::chrono::nanoseconds warmup{0};
  std::chrono::nanoseconds drain_quiet{std::chrono::milliseconds(500)};
  std::chrono::nanoseconds drain_max{std::chrono::seconds(15)};
  HeadSamplingSpec sampling;
  std::optional<CollectorSpec> collector;
  std::optional<BrokerSpec> broker;
  std::optional<SinkTierSpec> sink;
  std::vector<CheckSpec> checks;  // built into Checks when the run starts (make_check.h)
  Expectation expect;
};

}  // namespace traceproof
