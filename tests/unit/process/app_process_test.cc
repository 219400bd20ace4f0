// The user's app as a process under test, with tiny stand-ins (python3 -m http.server, sh):
// ready by TCP and by HTTP, an app that exits before it is ready or never gets ready is an error
// quoting its log, its argv and environment get the placeholders and the OTel variables, it
// stops on SIGTERM, and it dies with its owner (SIGKILL of the owner; the reaper kills it).
#include "process/app_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "process/loopback_port.h"
#include "process/reaper.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

fs::path TempDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("traceproof-app-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

AppProcessOptions Options(const std::string& name, std::vector<std::string> command) {
  AppProcessOptions o;
  o.name = name;
  o.spec.command = std::move(command);
  const fs::path dir = TempDir(name);
  o.spec.cwd = dir.string();
  o.port = FreeLoopbackPort();
  o.log_path = dir / "apps" / (name + ".log");
  o.otlp.grpc_url = "http://127.0.0.1:4317";
  o.otlp.http_url = "http://127.0.0.1:4318";
  o.run_id = "r1";
  o.services["payments"] = {"127.0.0.1", 9001};
  return o;
}

const std::vector<std::string> kHttpServer = {"python3",       "-m",     "http.server",
                                              "{{self.port}}", "--bind", "127.0.0.1"};

TEST(AppProcess, ReadyWhenItsPortAcceptsTcp) {
  AppProcess app(Options("tcp", kHttpServer));
  const Status s = app.Start(milliseconds(15000));
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_TRUE(AcceptsOnLoopback(app.port()));
  app.Stop(milliseconds(3000));
  EXPECT_FALSE(app.Running());
  EXPECT_FALSE(AcceptsOnLoopback(app.port()));
}

TEST(AppProcess, ReadyWhenItsReadinessPathAnswers200) {
  AppProcessOptions o = Options("http", kHttpServer);
  std::ofstream(fs::path(o.spec.cwd) / "health") << "ok\n";  // http.server serves its cwd
  o.spec.ready_http_path = "/health";
  AppProcess app(o);
  const Status s = app.Start(milliseconds(15000));
  ASSERT_TRUE(s.ok()) << s.error;
  app.Stop(milliseconds(3000));
}

TEST(AppProcess, AReadinessPathThatNeverAnswers200TimesOutAndTheAppIsKilled) {
  AppProcessOptions o = Options("timeout", kHttpServer);
  o.spec.ready_http_path = "/missing";  // 404
  AppProcess app(o);
  const Status s = app.Start(milliseconds(1500));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error.find("app 'timeout'"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("was not ready within 1500 ms"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("/missing did not answer 200"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find(o.log_path.string()), std::string::npos) << s.error;
  EXPECT_FALSE(app.Running());
}

TEST(AppProcess, AnAppThatExitsBeforeItIsReadyIsAnErrorQuotingItsLog) {
  AppProcessOptions o = Options("exits", {"sh", "-c", "echo cannot bind port; exit 3"});
  AppProcess app(o);
  const Status s = app.Start(milliseconds(10000));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error.find("exited with status 3 before it was ready"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find(o.log_path.string()), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("cannot bind port"), std::string::npos) << s.error;
}

TEST(AppProcess, AProgramThatDoesNotExistIsNamed) {
  AppProcess app(Options("missing", {"./no-such-program"}));
  const Status s = app.Start(milliseconds(2000));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error.find("no-such-program"), std::string::npos) << s.error;
}

TEST(AppProcess, ArgvAndEnvironmentGetTheAddressesAndTheOtelVariables) {
  AppProcessOptions o = Options("checkout", kHttpServer);
  o.spec.command = {"sh", "-c",
                    "echo argv=$0; env | sort; exec python3 -m http.server $PORT --bind 127.0.0.1",
                    "{{payments.url}}/charge"};
  o.spec.env = {{"PAYMENTS_PORT", "{{payments.port}}"},
                {"OTEL_BSP_SCHEDULE_DELAY", "50"},
                {"OTEL_RESOURCE_ATTRIBUTES", "team=shop"},
                {"OTEL_EXPORTER_OTLP_TIMEOUT", "1234"}};
  // A CI job's own exporter settings must not reach the app: its spans go to the run's sink.
  ::setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://elsewhere.example:4318/v1/traces", 1);
  ::setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "99", 1);
  AppProcess app(o);
  const Status s = app.Start(milliseconds(15000));
  ::unsetenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  ::unsetenv("OTEL_EXPORTER_OTLP_TIMEOUT");
  ASSERT_TRUE(s.ok()) << s.error;
  app.Stop(milliseconds(3000));
  const std::string log = ReadFile(o.log_path);
  EXPECT_NE(log.find("argv=http://127.0.0.1:9001/charge"), std::string::npos) << log;
  EXPECT_NE(log.find("PAYMENTS_PORT=9001\n"), std::string::npos) << log;
  EXPECT_NE(log.find("PORT=" + std::to_string(o.port) + "\n"), std::string::npos) << log;
  EXPECT_NE(log.find("OTEL_SERVICE_NAME=checkout\n"), std::string::npos) << log;
  EXPECT_NE(log.find("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318\n"), std::string::npos);
  EXPECT_NE(log.find("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n"), std::string::npos);
  EXPECT_NE(log.find("OTEL_BSP_SCHEDULE_DELAY=50\n"), std::string::npos) << "the user's wins";
  EXPECT_EQ(log.find("elsewhere.example"), std::string::npos) << log;
  EXPECT_NE(log.find("OTEL_EXPORTER_OTLP_TIMEOUT=1234\n"), std::string::npos) << "the scenario's";
  EXPECT_EQ(log.find("OTEL_EXPORTER_OTLP_TIMEOUT=99"), std::string::npos) << log;
  EXPECT_NE(log.find("OTEL_RESOURCE_ATTRIBUTES=team=shop,traceproof.run=r1,"
                     "service.instance.id=checkout-r1\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("OTEL_METRICS_EXPORTER=none\n"), std::string::npos);
  EXPECT_NE(log.find("TRACEPROOF_PAYMENTS_URL=http://127.0.0.1:9001\n"), std::string::npos);
}

TEST(AppProcess, GrpcWhenTheUserAsksForIt) {
  AppProcessOptions o = Options("grpc", {"x"});
  o.spec.env = {{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}};
  std::string error;
  const auto env = AppEnvironment(o, error);
  ASSERT_TRUE(env) << error;
  bool found = false;
  for (const auto& [k, v] : *env)
    if (k == "OTEL_EXPORTER_OTLP_ENDPOINT") found = v == "http://127.0.0.1:4317";
  EXPECT_TRUE(found);
}

std::string EnvValue(const std::vector<std::pair<std::string, std::string>>& env,
                     std::string_view name) {
  for (const auto& [k, v] : env)
    if (k == name) return v;
  return "(unset)";
}

TEST(AppProcess, TheSinksRequiredHeadersReachTheSdkPercentEncoded) {
  AppProcessOptions o = Options("headers", {"x"});
  o.otlp.headers = {{"authorization", "Bearer a b,c=d"}, {"x-tenant", "shop"}};
  std::string error;
  const auto env = AppEnvironment(o, error);
  ASSERT_TRUE(env) << error;
  EXPECT_EQ(EnvValue(*env, "OTEL_EXPORTER_OTLP_HEADERS"),
            "authorization=Bearer%20a%20b%2Cc%3Dd,x-tenant=shop");
  o.otlp.headers.clear();  // none required: the SDK's own default (none) stays
  EXPECT_EQ(EnvValue(*AppEnvironment(o, error), "OTEL_EXPORTER_OTLP_HEADERS"), "(unset)");
}

TEST(AppProcess, AnUnknownServiceInAPlaceholderNamesTheAppAndTheText) {
  AppProcessOptions o = Options("checkout", {"x", "--to", "{{orders.url}}"});
  std::string error;
  EXPECT_FALSE(AppArgv(o, error));
  EXPECT_NE(error.find("app 'checkout'"), std::string::npos) << error;
  EXPECT_NE(error.find("{{orders.url}}"), std::string::npos) << error;
  AppProcess app(o);
  EXPECT_FALSE(app.Start(milliseconds(1000)).ok());
}

// The owner (standing in for traceproof) starts a reaper and the app, then is SIGKILLed: the
// app's server, which PDEATHSIG does not reach, is gone within a bound.
TEST(AppProcess, DiesWithItsOwner) {
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  // The server is a grandchild (PDEATHSIG reaches only the shell): the reaper must kill the group.
  AppProcessOptions o = Options("orphan", {"sh", "-c",
                                           "python3 -m http.server {{self.port}} --bind 127.0.0.1 "
                                           "& echo $! > app.pid; wait"});
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t owner = fork();
  if (owner == 0) {
    close(ready[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::string error;
    auto reaper = StartReaper({milliseconds(500)}, error);
    if (!reaper) _exit(1);
    o.reaper = reaper.get();
    AppProcess app(o);
    const char ok = app.Start(milliseconds(15000)).ok() ? 'y' : 'n';
    (void)!write(ready[1], &ok, 1);
    for (;;) pause();
  }
  close(ready[1]);
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  close(ready[0]);
  ASSERT_EQ(ok, 'y');
  const pid_t app_pid = std::stoi(ReadFile(fs::path(o.spec.cwd) / "app.pid"));
  kill(owner, SIGKILL);
  waitpid(owner, nullptr, 0);
  const auto deadline = Clock::now() + milliseconds(5000);
  bool gone = false;
  while (!gone && Clock::now() < deadline) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    gone = kill(app_pid, 0) != 0;
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(gone) << "app " << app_pid << " outlived its owner";
  if (!gone) kill(app_pid, SIGKILL);
}

}  // namespace
}  // namespace traceproof
