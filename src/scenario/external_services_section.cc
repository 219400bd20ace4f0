#include "scenario/external_services_section.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "scenario/scenario_keys.h"

namespace traceproof::loader {

void ParseExternalServices(ScenarioReader& r, const Field& field, Scenario& scenario) {
  ExternalServicesSpec spec;
  spec.pos = r.Pos(field);
  const std::vector<Field> fields =
      r.Fields(field.value, r.Pos(field),
               "'external' (e.g. { endpoints: { gateway: \"127.0.0.1:8080\" }, admin: "
               "\"127.0.0.1:9000\" })",
               "in services.external", kExternalServicesKeys);
  const Field* admin = r.Find(fields, "admin");
  if (!admin) {
    r.Fail(field,
           "services.external needs 'admin' (the admin endpoint of `traceproof serve "
           "--admin-port`, for ground truth and exporter counters), e.g. admin: "
           "\"${TRACEPROOF_ADMIN:-127.0.0.1:9000}\"");
  }
  spec.admin = r.ParseHostPort(*admin, "127.0.0.1:9000");
  const Field* endpoints = r.Find(fields, "endpoints");
  if (!endpoints) {
    r.Fail(field,
           "services.external needs 'endpoints' (where each service the load calls listens), "
           "e.g. endpoints: { gateway: \"${TRACEPROOF_GATEWAY:-127.0.0.1:8080}\" }");
  }
  for (const Field& e : r.Entries(endpoints->value, r.Pos(*endpoints), "'endpoints'")) {
    const ServiceDef* def =
        &r.RequireService(scenario.services, e.name, r.Pos(e.key), "services.external.endpoints:");
    if (!def->external.empty()) {
      r.Fail(e.key, "service '" + e.name + "' is already external in the services file (at " +
                        def->external +
                        "); endpoints are for the services `traceproof serve` "
                        "runs");
    }
    spec.endpoints[e.name] = r.ParseHostPort(e, "127.0.0.1:8080");
  }
  if (const Field* f = r.Find(fields, "ready_timeout")) spec.ready_timeout = r.ReadyTimeout(*f);
  for (const ServiceDef& s : scenario.services.services) {
    if (!s.app) continue;
    r.Fail(field, "service '" + s.name +
                      "' is an app, which the run starts beside the mocks it runs; these run "
                      "elsewhere (services.external): start it yourself and give it "
                      "'external: HOST:PORT'");
  }
  scenario.external_services = std::move(spec);
}

void CheckExternalServices(ScenarioReader& r, const std::vector<Field>& top,
                           const Scenario& scenario) {
  const ExternalServicesSpec& ext = *scenario.external_services;
  for (const LoadPhase& p : scenario.load) {
    if (p.span_load || ext.endpoints.count(p.service)) continue;
    r.Fail(p.pos, "the load calls service '" + p.service +
                      "', which has no address in services.external.endpoints: add e.g. " +
                      p.service + ": \"127.0.0.1:8080\"");
  }
  if (const Field* f = r.Find(top, "sampling")) {
    r.Fail(f->key,
           "'sampling:' configures the services traceproof runs; these run elsewhere "
           "(services.external): give `traceproof serve` --sampler and --sampler-arg");
  }
  if (const Field* f = r.Find(top, "broker")) {
    r.Fail(f->key,
           "'broker:' is for the services traceproof runs; these run elsewhere "
           "(services.external): give `traceproof serve` --broker URL");
  }
}

}  // namespace traceproof::loader
