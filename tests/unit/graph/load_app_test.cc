// `app:` and `calls:` in a service graph: a full app lands in AppSpec with its defaults, and
// every mistake (bad key or value, unknown service in a call or a {{...}} placeholder, app
// together with routes or external) names file:line:col.
#include <gtest/gtest.h>

#include <filesystem>
#include <string_view>

#include "graph/load_graph.h"

namespace traceproof {
namespace {

std::string Yaml(std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  return std::string(text);
}

ServiceGraph Load(std::string_view text) {
  return LoadServiceGraph(YAML::Load(Yaml(text)), "/tmp/scen/test.yaml");
}

std::string LoadErrorOf(std::string_view text) {
  try {
    Load(text);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

constexpr std::string_view kChain = R"(
services:
  gateway:
    routes:
      "POST /checkout": [{ call: checkout POST /checkout }]
  checkout:
    app:
      command: [python3, apps/checkout.py, --port, "{{self.port}}", --payments, "{{payments.url}}"]
      cwd: ..
      env: { PAYMENTS_HOST: "{{payments.host}}", MODE: "${MODE:-x}" }
      port: 8123
      ready: { http: /health, timeout: 5s }
    calls: ["payments  POST /charge", "queue order.created"]
  payments:
    routes:
      "POST /charge": [{ work: 1ms }]
)";

TEST(LoadApp, FullAppLandsInAppSpec) {
  const ServiceGraph g = Load(kChain);
  const ServiceDef* checkout = g.Find("checkout");
  ASSERT_NE(checkout, nullptr);
  ASSERT_TRUE(checkout->app.has_value());
  const AppSpec& app = *checkout->app;
  ASSERT_EQ(app.command.size(), 6u);
  EXPECT_EQ(app.command[1], "apps/checkout.py");
  EXPECT_EQ(app.command[5], "{{payments.url}}");  // expanded by the run, not the loader
  EXPECT_EQ(app.cwd, "/tmp");                     // relative to the scenario's directory
  ASSERT_EQ(app.env.size(), 2u);
  EXPECT_EQ(app.env[1].second, "${MODE:-x}");
  EXPECT_EQ(app.port, 8123);
  EXPECT_EQ(app.ready_http_path, "/health");
  EXPECT_EQ(app.ready_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(app.pos.line, 6);
  EXPECT_EQ(checkout->calls,
            (std::vector<std::string>{"payments POST /charge", "queue order.created"}));
  EXPECT_TRUE(checkout->routes.empty());
}

TEST(LoadApp, DefaultsAreTcpReadinessAFreePortAndTheScenarioDirectory) {
  const ServiceGraph g = Load(R"(
services:
  a:
    app: { command: [./server] }
)");
  const AppSpec& app = *g.Find("a")->app;
  EXPECT_EQ(app.port, 0);
  EXPECT_TRUE(app.ready_http_path.empty());
  EXPECT_EQ(app.ready_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(app.cwd, "/tmp/scen");
}

TEST(LoadApp, AFileInTheWorkingDirectoryRunsItsAppsThere) {
  const ServiceGraph g =
      LoadServiceGraph(YAML::Load("services: { a: { app: { command: [x] } } }"), "s.yaml");
  EXPECT_EQ(g.Find("a")->app->cwd, std::filesystem::current_path().string());
}

TEST(LoadApp, ExternalServiceMayDeclareItsCalls) {
  const ServiceGraph g = Load(R"(
services:
  b:
    routes: { "GET /x": [{ work: 1ms }] }
  a:
    external: 127.0.0.1:9999
    calls: ["b GET /x"]
)");
  EXPECT_EQ(g.Find("a")->calls, std::vector<std::string>{"b GET /x"});
}

struct BadCase {
  const char* name;
  const char* yaml;
  const char* where;  // file:line:col
  const char* says;
};

class LoadAppErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(LoadAppErrors, NameFileLineColAndWhat) {
  const std::string error = LoadErrorOf(GetParam().yaml);
  EXPECT_NE(error.find(GetParam().where), std::string::npos) << error;
  EXPECT_NE(error.find(GetParam().says), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LoadAppErrors,
    ::testing::Values(BadCase{"unknown_key", R"(
services:
  a:
    app: { command: [x], comand: [y] }
)",
                              "test.yaml:3:26", "comand"},
                      BadCase{"no_command", R"(
services:
  a:
    app: { port: 1 }
)",
                              "test.yaml:3:10", "needs 'command'"},
                      BadCase{"command_string", R"(
services:
  a:
    app: { command: "python3 app.py" }
)",
                              "test.yaml:3:21", "want its argv as a list, e.g. [python3, app.py]"},
                      BadCase{"bad_port", R"(
services:
  a:
    app: { command: [x], port: 70000 }
)",
                              "test.yaml:3:32", "70000"},
                      BadCase{"bad_ready", R"(
services:
  a:
    app: { command: [x], ready: udp }
)",
                              "test.yaml:3:33", "bad ready 'udp'"},
                      BadCase{"ready_both", R"(
services:
  a:
    app: { command: [x], ready: { http: /h, tcp: true } }
)",
                              "test.yaml:3:45", "not both"},
                      BadCase{"ready_path", R"(
services:
  a:
    app: { command: [x], ready: { http: health } }
)",
                              "test.yaml:3:41", "must start with '/'"},
                      BadCase{"ready_timeout", R"(
services:
  a:
    app: { command: [x], ready: { timeout: soon } }
)",
                              "test.yaml:3:44", "soon"},
                      BadCase{"env_name", R"(
services:
  a:
    app: { command: [x], env: { "A-B": y } }
)",
                              "test.yaml:3:33", "not an environment variable name"},
                      BadCase{"placeholder_unknown_service", R"(
services:
  a:
    app: { command: [x, "{{paymnts.url}}"] }
  payments:
    routes: { "GET /": [{ work: 1ms }] }
)",
                              "test.yaml:3:25", "unknown service 'paymnts'"},
                      BadCase{"placeholder_bad_field", R"(
services:
  a:
    app: { command: [x], env: { P: "{{payments.address}}" } }
)",
                              "test.yaml:3:36", "unknown field 'address'"},
                      BadCase{"placeholder_unterminated", R"(
services:
  a:
    app: { command: [x, "{{payments.url"] }
)",
                              "test.yaml:3:25", "unterminated '{{'"},
                      BadCase{"app_and_routes", R"(
services:
  a:
    app: { command: [x] }
    routes: { "GET /": [{ work: 1ms }] }
)",
                              "test.yaml:4:5", "remove 'routes'"},
                      BadCase{"app_and_external", R"(
services:
  a:
    app: { command: [x] }
    external: 127.0.0.1:80
)",
                              "test.yaml:4:5", "both 'app'"},
                      BadCase{"app_and_port", R"(
services:
  a:
    port: 8080
    app: { command: [x] }
)",
                              "test.yaml:3:5", "app: { port }"},
                      BadCase{"call_unknown_service", R"(
services:
  a:
    app: { command: [x] }
    calls: ["paymnts POST /charge"]
  payments:
    routes: { "POST /charge": [{ work: 1ms }] }
)",
                              "test.yaml:4:13", "call names unknown service 'paymnts'"},
                      BadCase{"call_unknown_route", R"(
services:
  a:
    app: { command: [x] }
    calls: ["payments POST /refund"]
  payments:
    routes: { "POST /charge": [{ work: 1ms }] }
)",
                              "test.yaml:4:13", "has no route 'POST /refund'"},
                      BadCase{"call_malformed", R"(
services:
  a:
    app: { command: [x] }
    calls: ["payments /charge"]
)",
                              "test.yaml:4:13", "want 'SERVICE METHOD /path' or 'queue NAME'"},
                      BadCase{"calls_on_mock", R"(
services:
  a:
    routes: { "GET /": [{ work: 1ms }] }
    calls: ["a GET /"]
)",
                              "test.yaml:4:5", "'calls' is for an external or app service"},
                      BadCase{"fault_on_app", R"(
services:
  a:
    app: { command: [x] }
faults:
  - { service: a, latency: 5ms }
)",
                              "test.yaml:5:5", "is an app: traceproof cannot inject faults"},
                      BadCase{"same_port", R"(
services:
  a:
    app: { command: [x], port: 9000 }
  b:
    port: 9000
    routes: { "GET /": [{ work: 1ms }] }
)",
                              "test.yaml:4:3", "port 9000 is already"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace traceproof
