// The scenario loader's reader: YamlReader's strict accessors, plus what several sections of a
// scenario check the same way: positive durations and ready timeouts, places on the network
// (HOST:PORT after ${ENV:-default} expansion), and references to the services and routes of the
// graph, with did-you-mean hints. Every mistake throws LoadError at the offending node. One per
// load (load_scenario.cc); not thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_reader.h"
#include "graph/service_graph.h"
#include "scenario/scenario.h"

namespace traceproof::loader {

bool Contains(const std::vector<std::string>& items, std::string_view item);
// "gateway POST /checkout" -> {"gateway", "POST", "/checkout"}.
std::vector<std::string> SplitWords(std::string_view text);

class ScenarioReader : public YamlReader {
 public:
  explicit ScenarioReader(const std::string& file) : YamlReader(file) {}

  std::chrono::nanoseconds PositiveDuration(const Field& field);
  // A positive duration, in milliseconds and at least 1 ms: how long to wait for something to
  // be ready.
  std::chrono::milliseconds ReadyTimeout(const Field& field);

  // The field's text, ${ENV:-default} expanded.
  std::string Expanded(const Field& field);
  // "host:port" after expansion; `example` completes the hint.
  HostPort ParseHostPort(const Field& field, const std::string& example);
  // `text` is the expanded value of `field`; `from` says what it was expanded from, if anything.
  HostPort ParseHostPortText(const Field& field, const std::string& text, const std::string& from,
                             const std::string& example);

  // `what` starts the message when there is no such service: "route names unknown service 'x';
  // services are: ...".
  const ServiceDef& RequireService(const ServiceGraph& graph, const std::string& name,
                                   const SourcePos& pos, const std::string& what) const;
  void RequireRoute(const ServiceDef& service, const std::string& method, const std::string& path,
                    const SourcePos& pos) const;
};

}  // namespace traceproof::loader
