#include "scenario/sink_section.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "config/text_file.h"
#include "scenario/scenario_keys.h"

namespace traceproof::loader {
namespace {

// `require_headers: { NAME: VALUE }`, each VALUE expanded from the environment; an unset
// variable is reported at the value, naming the variable (never a value).
RequiredHeaders ParseRequireHeaders(ScenarioReader& r, const Field& field) {
  RequiredHeaders headers;
  // Checked here rather than by Entries, whose message quotes the value: it may be the token.
  if (!field.value.IsMap())
    r.Fail(field.value,
           "want a map of header name to value for 'require_headers', e.g. "
           "{ authorization: \"Bearer ${TOKEN}\" }");
  for (const Field& entry :
       r.Entries(field.value, r.Pos(field),
                 "'require_headers' (e.g. { authorization: \"Bearer ${TOKEN}\" })")) {
    std::string error;
    std::optional<RequiredHeader> header = MakeRequiredHeader(
        entry.name, r.String(entry), [](const char* name) { return std::getenv(name); }, error);
    if (!header) r.Fail(entry.value, "require_headers: " + error);
    for (const RequiredHeader& h : headers)
      if (h.name == header->name) r.Fail(entry.key, "require_headers: '" + h.name + "' twice");
    headers.push_back(std::move(*header));
  }
  if (headers.empty())
    r.Fail(field,
           "'require_headers' is empty: name at least one header, e.g. { authorization: "
           "\"Bearer ${TOKEN}\" }");
  return headers;
}

// A PEM file named by `key` in the tls section: ${ENV} expanded, relative to the scenario
// file; `path` gets where it is.
std::string ReadPem(ScenarioReader& r, const std::vector<Field>& fields, const char* key,
                    std::string& path) {
  const Field* f = r.Find(fields, key);
  if (f == nullptr) return "";
  std::filesystem::path p(r.Expanded(*f));
  if (p.is_relative()) p = std::filesystem::path(r.file()).parent_path() / p;
  std::string error;
  auto text = ReadTextFile(std::string("tls.") + key, p.string(), error);
  if (!text) r.Fail(*f, error + " (a relative path is relative to the scenario file)");
  path = p.string();
  return std::move(*text);
}

SinkTlsSpec ParseSinkTls(ScenarioReader& r, const Field& field) {
  SinkTlsSpec spec;
  spec.pos = r.Pos(field);
  const std::vector<Field> fields =
      r.Fields(field.value, r.Pos(field), "'tls' (e.g. { cert: server.pem, key: server.key })",
               "in sink.tls", kSinkTlsKeys);
  std::string cert_file, unused;
  spec.server.cert_chain_pem = ReadPem(r, fields, "cert", cert_file);
  spec.server.private_key_pem = ReadPem(r, fields, "key", unused);
  spec.server.client_ca_pem = ReadPem(r, fields, "client_ca", unused);
  if (spec.server.cert_chain_pem.empty() || spec.server.private_key_pem.empty())
    r.Fail(field, "'tls' needs 'cert' and 'key' (PEM files, relative to the scenario file)");
  std::string error;
  if (!TlsUsable(spec.server, error)) r.Fail(field, "tls: " + error);
  spec.client.ca_pem = ReadPem(r, fields, "ca", spec.ca_file);
  if (spec.client.ca_pem.empty()) {  // the sink's own certificate, pinned
    spec.client.ca_pem = spec.server.cert_chain_pem;
    spec.ca_file = cert_file;
  }
  spec.client.cert_chain_pem = ReadPem(r, fields, "client_cert", spec.client_cert_file);
  spec.client.private_key_pem = ReadPem(r, fields, "client_key", spec.client_key_file);
  if (!spec.server.client_ca_pem.empty() &&
      (spec.client.cert_chain_pem.empty() || spec.client.private_key_pem.empty()))
    r.Fail(field,
           "tls: 'client_ca' asks every exporter for a client certificate: give 'client_cert' "
           "and 'client_key' for the run's own services and apps");
  if (spec.client.cert_chain_pem.empty() != spec.client.private_key_pem.empty())
    r.Fail(field, "tls: 'client_cert' and 'client_key' go together");
  spec.client.server_name = "localhost";
  if (const Field* f = r.Find(fields, "server_name")) spec.client.server_name = r.String(*f);
  if (!MakeClientTlsContext(spec.client, error)) r.Fail(field, "tls: " + error);
  return spec;
}

}  // namespace

void ParseSink(ScenarioReader& r, const Field& field, Scenario& scenario) {
  SinkTierSpec spec;
  spec.pos = r.Pos(field);
  const std::vector<Field> fields =
      r.Fields(field.value, r.Pos(field), "'sink' (e.g. { count: 3 })", "in sink", kSinkKeys);
  const Field* count = r.Find(fields, "count");
  const Field* require_headers = r.Find(fields, "require_headers");
  const Field* tls = r.Find(fields, "tls");
  if (!count && !require_headers && !tls)
    r.Fail(field, "'sink' needs 'count' (how many sinks, 1.." + std::to_string(kMaxSinks) +
                      "), e.g. sink: { count: 3 }, 'require_headers' or 'tls'");
  if (require_headers) spec.require_headers = ParseRequireHeaders(r, *require_headers);
  if (count) spec.count = static_cast<int>(r.Int(*count, 1, kMaxSinks));
  if (tls) {
    if (spec.count > 1)
      r.Fail(*tls, "'tls' is for one embedded sink; a tier behind a Collector listens on loopback");
    spec.tls = ParseSinkTls(r, *tls);
  }
  if (spec.count == 1) {  // one embedded sink: no Collector needed in front of it
    scenario.sink = std::move(spec);
    return;
  }
  // The sinks' endpoints reach the Collector only through the environment of the process
  // traceproof starts; one that runs elsewhere exports where its own config says.
  if (!scenario.collector) {
    r.Fail(field,
           "'sink' needs a Collector in front of the sinks (its loadbalancing exporter routes "
           "to TRACEPROOF_SINK_ENDPOINT_0 .. _N-1): add 'collector: { config: "
           "../compose/collector/loadbalancing-config.yaml }'");
  }
  if (scenario.collector->external) {
    r.Fail(field,
           "'sink' needs the Collector traceproof starts ('collector: { config: PATH }'): "
           "it tells that one the sinks' endpoints; an external one (" +
               scenario.collector->endpoint.Text() + ") exports where its config says");
  }
  scenario.sink = std::move(spec);
}

void AttachSinkFaults(ScenarioReader& r, std::vector<SinkFault> faults, Scenario& scenario) {
  if (faults.empty()) return;
  if (!scenario.sink) {
    r.Fail(faults.front().pos,
           "a 'sink:' fault needs a sink tier: add 'sink: { count: N }' (and a Collector that "
           "routes to the sinks)");
  }
  for (const SinkFault& f : faults) {
    if (f.index >= scenario.sink->count) {
      r.Fail(f.pos, "sink fault names sink " + std::to_string(f.index) + ", but the tier has " +
                        std::to_string(scenario.sink->count) + " (indexes 0.." +
                        std::to_string(scenario.sink->count - 1) + ")");
    }
    for (const SinkFault& g : faults) {
      if (&g != &f && g.index == f.index && &g < &f)
        r.Fail(f.pos, "sink " + std::to_string(f.index) +
                          " is killed twice: a killed sink stays down for the rest of the run");
    }
  }
  scenario.sink->faults = std::move(faults);
}

void CheckSinkTierChecks(ScenarioReader& r, Scenario& scenario) {
  const bool tier = scenario.sink && scenario.sink->count > 1;
  const auto it = std::find_if(scenario.checks.begin(), scenario.checks.end(),
                               [](const CheckSpec& c) { return c.kind == "sinks"; });
  if (it != scenario.checks.end() && !tier) {
    r.Fail(it->pos, "a 'sinks' check judges a sink tier: add 'sink: { count: N }' with N >= 2");
  }
  if (tier && it == scenario.checks.end()) {
    SinksSpec spec;
    spec.pos = scenario.sink->pos;
    scenario.checks.push_back(CheckSpec{.kind = "sinks", .options = spec, .pos = spec.pos});
  }
}

void CheckSinkTlsSenders(ScenarioReader& r, const Scenario& scenario) {
  if (!scenario.sink || !scenario.sink->tls || scenario.collector) return;
  const auto span_load = std::find_if(scenario.load.begin(), scenario.load.end(),
                                      [](const LoadPhase& p) { return p.span_load; });
  if (span_load != scenario.load.end())
    r.Fail(scenario.sink->tls->pos,
           "span load cannot reach a TLS sink yet (the load generator speaks plain HTTP): "
           "put a Collector in front (collector: { config: ... }) or leave out 'tls'");
}

}  // namespace traceproof::loader
