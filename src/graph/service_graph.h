// A system under test described as data: services, their HTTP routes and queue consumers, the
// steps each runs (work, calls, database, queue publish, errors), and the faults to inject.
// Loaded from YAML (load_graph.h), run by MockServices (mock_services.h). Plain structs;
// every element keeps the YAML position it came from, so a runtime complaint can point there.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/source_pos.h"
#include "otlp/span_view.h"

namespace traceproof {

using Nanos = std::chrono::nanoseconds;

// A latency distribution. fixed: a. uniform: [a, b]. normal: mean a, stddev b (clamped at 0).
// lognormal: median (p50) a, 99th percentile b.
struct Latency {
  enum class Dist { kFixed, kUniform, kNormal, kLognormal };
  Dist dist = Dist::kFixed;
  Nanos a{0};
  Nanos b{0};
  // Spike: every `spike_every`-th sample of this step (or fault) adds `spike_add`; 0 = none.
  std::uint64_t spike_every = 0;
  Nanos spike_add{0};
};

struct Step {
  enum class Kind {
    kWork,      // INTERNAL span named `name`, lasting `latency`
    kSleep,     // `latency` of uninstrumented time: a gap in the parent span
    kCall,      // CLIENT span (unless client_span is false) + HTTP request to service/route
    kDb,        // CLIENT span with db.system and db.query.text, lasting `latency`
    kPublish,   // PRODUCER span; message on `queue` carrying the trace context
    kError,     // marks the current server span ERROR (exception event) and the HTTP status
    kParallel,  // runs `steps` concurrently and waits for all
  };
  Kind kind = Kind::kWork;
  std::string name;  // span name for work/db/publish, client span name for call
  Latency latency;
  // call
  std::string service;
  std::string method = "GET";
  std::string path = "/";
  bool client_span = true;
  // db
  std::string db_system = "postgresql";
  std::string statement;
  // publish
  std::string queue;
  // error
  int http_status = 500;
  std::string message = "injected error";
  double rate = 1.0;  // share of requests the error applies to
  // parallel
  std::vector<Step> steps;
  SourcePos pos;
};

struct Route {
  std::string method;
  std::string path;
  std::string span_name;  // default "METHOD /path"
  std::vector<Step> steps;
  SourcePos pos;
};

// Consumes messages from the in-process queue or a broker: a CONSUMER span that is a
// child of the producer's context (link = false) or a new trace linked to it (link = true).
// A batch consumer (batch_size > 0) takes up to batch_size messages, or what has arrived
// batch_wait after the first of them, and processes them under one CONSUMER span: a new trace
// with one link per message, as the messaging semantic conventions describe batch processing
// (a span cannot be the child of several producers, so a batch always links).
struct Consumer {
  std::string queue;
  std::string span_name;  // default "process <queue>"
  bool link = false;      // true whenever batch_size > 0
  std::size_t batch_size = 0;
  Nanos batch_wait{std::chrono::milliseconds(100)};
  std::vector<Step> steps;
  SourcePos pos;
};

// A service that is the user's own program, started by the run as a process under test: its argv,
// working directory and environment may name the mocks it calls as {{payments.url}} (and
// {{payments.host}}, {{payments.port}}; {{self.port}} for its own), an expansion that cannot be
// confused with the scenario's ${NAME} environment expansion. The run sets the OTel SDK
// variables (exporter endpoint and protocol, service name, a short batch delay) unless `env`
// does. Ready when its port accepts TCP, or `ready_http_path` answers 2xx.
struct AppSpec {
  std::vector<std::string> command;  // argv; the program is looked up in PATH if not a path
  std::string cwd;                   // resolved; empty: the scenario file's directory
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) the run's
  std::uint16_t port = 0;                                // 0: a free port, chosen by the run
  std::string ready_http_path;  // e.g. "/health"; empty: a TCP connect decides
  std::chrono::milliseconds ready_timeout{30000};
  SourcePos pos;
};

struct ServiceDef {
  std::string name;
  bool tracing = true;       // false: an uninstrumented peer (e.g. a third-party API)
  bool client_spans = true;  // default for its call steps
  std::uint16_t port = 0;    // 0: any free loopback port
  // "host:port" of a service traceproof does not run (an SDK-instrumented app, a real API):
  // call steps may target it with any route; it has no routes, consumers or faults of its own.
  std::string external;
  // The user's program, started by the run (see AppSpec); like `external`, call steps may
  // target it with any route, and it has no routes, consumers or faults of its own.
  std::optional<AppSpec> app;
  // For an external or app service: the routes it calls ("payments POST /charge") and queues it
  // publishes to ("queue order.created"), so a mock it calls knows who its caller is (the
  // witness in the propagation check). Empty: unknown, any external or app service may be.
  std::vector<std::string> calls;
  std::vector<Route> routes;
  std::vector<Consumer> consumers;
  SourcePos pos;
};

struct Fault {
  enum class Kind {
    kLatency,             // add `latency` before the route runs
    kError,               // answer `http_status`, span ERROR with an exception event
    kTimeout,             // never answer (hold the request `latency`, default 30 s, then close)
    kReset,               // close the connection without answering
    kDropTraceparent,     // calls from `service` (to `to`, if set) carry no trace headers
    kStripQueueHeaders,   // messages published by `service` lose their headers
    kIgnoreQueueHeaders,  // `service`'s consumers do not read the trace headers of messages
    kDetachedSpan,        // `service`'s work/consumer spans start new traces (async bug)
    kNackFirst,           // `service`'s consumers nack (requeue) a message's first delivery
    kHighCardinality,     // spans of `service` get a unique user.id and a raw url.full
    kClockSkew,           // every timestamp of `service` shifted by `skew`
    kExporterOutage,      // `service` exports nothing during the window
  };
  Kind kind = Fault::Kind::kLatency;
  std::string service;        // required
  std::string route;          // "METHOD /path"; empty = every route
  std::string to;             // for kDropTraceparent: only calls to this service
  double rate = 1.0;          // share of requests (0..1]
  std::optional<Nanos> from;  // window, relative to the start of the services
  std::optional<Nanos> until;
  Latency latency;
  int http_status = 500;
  std::string message = "injected fault";
  Nanos skew{0};
  // kNackFirst: 0 nacks every first delivery the fault applies to (subject to `rate`); N nacks
  // exactly every N-th of them, so a scenario can assert an exact redelivered count.
  std::uint64_t nack_every = 0;
  SourcePos pos;
};

struct ServiceGraph {
  std::vector<ServiceDef> services;
  std::vector<Fault> faults;
  double scale = 1.0;  // multiplies every latency (the seed's 4.2 s at 0.1 = 420 ms)

  const ServiceDef* Find(std::string_view name) const {
    for (const auto& s : services)
      if (s.name == name) return &s;
    return nullptr;
  }
};

}  // namespace traceproof
