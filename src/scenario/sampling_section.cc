#include "scenario/sampling_section.h"

#include <optional>
#include <string>

#include "scenario/scenario_keys.h"

namespace traceproof::loader {

namespace {

// { sampler: NAME, ratio: R }: the OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG pair.
void ParseSampler(ScenarioReader& r, const Field& field, const std::string& what,
                  std::string& sampler, std::string& arg, std::optional<double>* ratio_out) {
  const std::vector<Field> fields =
      r.Fields(field.value, r.Pos(field), what + " (e.g. { sampler: traceidratio, ratio: 0.25 })",
               "in " + what, kSamplerKeys);
  const Field* name = r.Find(fields, "sampler");
  if (!name) r.Fail(field, what + " needs 'sampler', one of: " + Join(kSamplers));
  sampler = r.String(*name);
  if (!Contains(kSamplers, sampler)) {
    r.Fail(*name, "unknown sampler '" + sampler + "'; expected one of: " + Join(kSamplers) +
                      DidYouMean(sampler, kSamplers));
  }
  const bool wants_ratio = sampler.ends_with("traceidratio");
  const Field* ratio = r.Find(fields, "ratio");
  if (wants_ratio && !ratio) {
    r.Fail(*name, "sampler '" + sampler +
                      "' needs 'ratio' (the share of traces sampled, 0..1), e.g. ratio: 0.25");
  }
  if (!wants_ratio && ratio) {
    r.Fail(ratio->key,
           "'ratio' applies only to traceidratio and parentbased_traceidratio, not to '" + sampler +
               "'");
  }
  arg.clear();
  if (ratio) {
    const double value = r.Number(*ratio);
    if (!(value >= 0 && value <= 1)) {
      r.Fail(*ratio, "'ratio' is " + ratio->value.Scalar() +
                         ": want a share of traces in [0, 1], e.g. 0.25 for 25%");
    }
    arg = ratio->value.Scalar();
    if (ratio_out) *ratio_out = value;
  }
}

}  // namespace

void ParseSampling(ScenarioReader& r, const Field& field, Scenario& scenario) {
  HeadSamplingSpec& sampling = scenario.sampling;
  sampling.pos = r.Pos(field);
  const std::vector<Field> fields =
      r.Fields(field.value, r.Pos(field), "'sampling'", "in sampling", kSamplingKeys);
  if (const Field* head = r.Find(fields, "head")) {
    ParseSampler(r, *head, "the head sampler", sampling.sampler, sampling.arg, &sampling.ratio);
  }
  if (const Field* overrides = r.Find(fields, "overrides")) {
    for (const Field& entry :
         r.Entries(overrides->value, r.Pos(*overrides), "service name -> sampler")) {
      const ServiceDef& service = r.RequireService(scenario.services, entry.name, r.Pos(entry.key),
                                                   "sampling override for");
      if (!service.external.empty()) {
        r.Fail(entry.key, "service '" + entry.name +
                              "' is external: its sampler is its own, not traceproof's");
      }
      HeadSamplingSpec::Override override;
      override.service = entry.name;
      override.pos = r.Pos(entry.key);
      ParseSampler(r, entry, "the sampler of '" + entry.name + "'", override.sampler, override.arg,
                   nullptr);
      sampling.overrides.push_back(std::move(override));
    }
  }
}

}  // namespace traceproof::loader
