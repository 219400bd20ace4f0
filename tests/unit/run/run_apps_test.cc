// The run's apps: ports chosen before anything starts (fixed ones kept), the mocks see each app
// as an external service at its port, the apps start in declaration order with the other
// services' addresses, and a failed start leaves the earlier apps on the lifecycle to unwind.
#include "run/run_apps.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "process/loopback_port.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

ServiceDef App(const std::string& name, std::vector<std::string> command, std::uint16_t port = 0) {
  ServiceDef s;
  s.name = name;
  s.app.emplace();
  s.app->command = std::move(command);
  s.app->cwd = fs::temp_directory_path().string();
  s.app->port = port;
  s.app->ready_timeout = std::chrono::milliseconds(15000);
  return s;
}

ServiceDef Mock(const std::string& name) {
  ServiceDef s;
  s.name = name;
  s.routes.push_back(Route{"GET", "/", "GET /", {}, {}});
  return s;
}

RunAppsOptions Options(const std::string& test) {
  RunAppsOptions o;
  o.log_dir =
      fs::temp_directory_path() / ("traceproof-run-apps-" + test + "-" + std::to_string(getpid()));
  fs::remove_all(o.log_dir);
  o.run_id = "t1";
  o.otlp.grpc_url = "http://127.0.0.1:1";
  o.otlp.http_url = "http://127.0.0.1:2";
  return o;
}

std::pair<std::string, std::uint16_t> MockEndpoint(const std::string& name) {
  return {"127.0.0.1", static_cast<std::uint16_t>(name == "payments" ? 9001 : 9002)};
}

TEST(RunApps, AppsBecomeExternalServicesAtTheirPortsForTheMocks) {
  ServiceGraph graph;
  graph.services = {Mock("gateway"), App("a", {"x"}), App("b", {"x"}, 8123)};
  std::string error;
  RunApps apps(graph, error);
  ASSERT_TRUE(error.empty()) << error;
  const ServiceGraph seen = apps.WithAppsAsExternal(graph);
  EXPECT_TRUE(seen.Find("gateway")->external.empty());
  EXPECT_TRUE(seen.Find("a")->external.starts_with("127.0.0.1:"));
  EXPECT_NE(seen.Find("a")->external, "127.0.0.1:0");
  EXPECT_EQ(seen.Find("b")->external, "127.0.0.1:8123");
  EXPECT_TRUE(graph.Find("a")->external.empty()) << "the scenario's graph is unchanged";
}

TEST(RunApps, StartsEachAppWithTheAddressesOfTheOthers) {
  ServiceGraph graph;
  graph.services = {
      Mock("payments"),
      App("checkout",
          {"sh", "-c", "echo to=$0 b=$1; exec python3 -m http.server $PORT --bind 127.0.0.1",
           "{{payments.url}}", "{{b.port}}"}),
      App("b", {"python3", "-m", "http.server", "{{self.port}}", "--bind", "127.0.0.1"}, 0)};
  std::string error;
  RunApps apps(graph, error);
  const RunAppsOptions o = Options("start");
  Lifecycle lifecycle;
  const Status s = apps.Start(graph, MockEndpoint, o, lifecycle);
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_EQ(lifecycle.RunningNames(), (std::vector<std::string>{"checkout", "b"}));
  EXPECT_EQ(apps.FirstName(), "checkout");
  const std::string b_port = apps.WithAppsAsExternal(graph).Find("b")->external.substr(10);
  lifecycle.StopAll();
  std::ifstream log(o.log_dir / "checkout.log");
  std::string first;
  std::getline(log, first);
  EXPECT_EQ(first, "to=http://127.0.0.1:9001 b=" + b_port);
}

TEST(RunApps, AFailedStartNamesTheAppAndLeavesTheEarlierOnesToUnwind) {
  ServiceGraph graph;
  graph.services = {
      App("first", {"python3", "-m", "http.server", "{{self.port}}", "--bind", "127.0.0.1"}),
      App("second", {"sh", "-c", "exit 1"})};
  std::string error;
  RunApps apps(graph, error);
  Lifecycle lifecycle;
  const Status s = apps.Start(graph, MockEndpoint, Options("fail"), lifecycle);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error.find("app 'second'"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("second.log"), std::string::npos) << s.error;
  EXPECT_EQ(lifecycle.RunningNames(), std::vector<std::string>{"first"});
  lifecycle.StopAll();
}

}  // namespace
}  // namespace traceproof
