// Reads the parts of a service that say it is the user's own program (`app:`, an AppSpec) and
// what an app or external service calls (`calls:`). Part of the graph loader (load_graph.h):
// every mistake is a LoadError at file:line:col. What only the whole graph can tell (does the
// service a call or a {{payments.url}} names exist, does it have that route) is returned as
// references for the loader to check once every service is read.
// Called at the edge (scenario load), so it throws; not thread-safe (one reader per file).
#pragma once

#include <string>
#include <vector>

#include "config/source_pos.h"
#include "config/yaml_reader.h"
#include "graph/service_graph.h"

namespace traceproof {

// A service named inside an app or a `calls:` list, checked against the whole graph.
struct ServiceRef {
  SourcePos pos;
  std::string from;     // the service that names it
  std::string service;  // the service named ("self" is resolved before)
  std::string route;    // "METHOD /path" for a call; empty for a placeholder or a queue
  std::string what;     // how the message names the reference: "call", "'{{payments.url}}'"
};

// `app: { command, cwd, env, port, ready }`. A relative cwd is taken from the directory of
// `reader.file()`, which is also the default.
AppSpec ReadAppSpec(YamlReader& reader, const Field& field, const std::string& service,
                    std::vector<ServiceRef>& refs);

// `calls: ["payments POST /charge", "queue order.created"]`, normalised to single spaces.
std::vector<std::string> ReadCalls(YamlReader& reader, const Field& field,
                                   const std::string& service, std::vector<ServiceRef>& refs);

}  // namespace traceproof
