#include "scenario/broker_section.h"

#include <functional>
#include <string>

#include "config/amqp_url.h"
#include "scenario/scenario_keys.h"

namespace traceproof::loader {

// `broker: rabbitmq` or `broker: { amqp: "amqp://127.0.0.1:5672" }`.
void ParseBroker(ScenarioReader& r, const Field& field, Scenario& scenario) {
  BrokerSpec broker;
  broker.pos = r.Pos(field);
  const char* kForms =
      "want 'rabbitmq' (traceproof starts a broker for the run) or { amqp: URL } (a running "
      "one), e.g. broker: { amqp: \"amqp://127.0.0.1:5672\" }";
  if (field.value.IsScalar()) {
    const std::string text = field.value.Scalar();
    if (text != "rabbitmq") {
      r.Fail(field, "unknown broker '" + text + "': " + kForms +
                        DidYouMean(text, std::vector<std::string>{"rabbitmq"}));
    }
    broker.start_rabbitmq = true;
  } else {
    const std::vector<Field> fields =
        r.Fields(field.value, r.Pos(field), "'broker'", "in broker", kBrokerKeys);
    const Field* amqp = r.Find(fields, "amqp");
    if (!amqp) r.Fail(field, std::string("'broker' needs 'amqp': ") + kForms);
    broker.amqp_url = r.String(*amqp);
    std::string error;
    if (!ParseAmqpUrl(broker.amqp_url, error)) {
      r.Fail(*amqp, "bad AMQP URL '" + broker.amqp_url + "': " + error);
    }
  }
  bool queues = false;
  std::function<void(const std::vector<Step>&)> walk = [&](const std::vector<Step>& steps) {
    for (const Step& step : steps) {
      queues |= step.kind == Step::Kind::kPublish;
      walk(step.steps);
    }
  };
  for (const ServiceDef& service : scenario.services.services) {
    queues |= !service.consumers.empty();
    for (const Route& route : service.routes) walk(route.steps);
  }
  if (!queues) {
    r.Fail(field.key,
           "'broker:' carries the services' queues, but no service publishes or "
           "consumes (add a 'publish:' step and a consumer, or use "
           "services: { preset: checkout-queue })");
  }
  scenario.broker = std::move(broker);
}

void AttachBrokerFaults(ScenarioReader& r, std::vector<BrokerFault> faults, Scenario& scenario) {
  if (faults.empty()) return;
  if (!scenario.broker) {
    r.Fail(faults.front().pos,
           "a 'broker:' fault needs a broker traceproof starts: add 'broker: rabbitmq'");
  }
  if (!scenario.broker->start_rabbitmq) {
    r.Fail(faults.front().pos,
           "'broker: restart' needs the broker traceproof starts ('broker: rabbitmq'); it "
           "cannot restart one it does not own (" +
               scenario.broker->amqp_url + ")");
  }
  scenario.broker->faults = std::move(faults);
}

}  // namespace traceproof::loader
