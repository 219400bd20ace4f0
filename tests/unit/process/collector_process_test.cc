// CollectorProcess with stand-ins for the Collector (small shell and Python scripts): it passes
// the endpoints in the environment, waits for the OTLP/gRPC port, reports a Collector that dies
// or never listens with its log, never leaves the process behind, and keeps the promises of a
// ProcessUnderTest (conformance.h).
#include "process/collector_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "conformance.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

std::string Script(const std::string& name, const std::string& body) {
  const fs::path dir =
      fs::temp_directory_path() / ("traceproof_collector_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path) << body;
  chmod(path.c_str(), 0755);
  return path.string();
}

CollectorOptions Options(const std::string& binary) {
  CollectorOptions o;
  o.binary = binary;
  o.config = "/dev/null";
  o.sink_grpc_endpoint = "127.0.0.1:1";
  return o;
}

constexpr std::chrono::milliseconds kReady{3000};
constexpr std::chrono::milliseconds kGrace{2000};

// Listens where TRACEPROOF_OTLP_GRPC_PORT says, prints what it was told, exits on SIGTERM.
std::string ListeningStandIn() {
  return Script("listens.py", R"(#!/usr/bin/env python3
import os, signal, socket, sys
print("sink", os.environ["TRACEPROOF_SINK_ENDPOINT"], "metrics", os.environ["TRACEPROOF_METRICS_PORT"], flush=True)
print("args", " ".join(sys.argv[1:3]), flush=True)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(os.environ["TRACEPROOF_OTLP_GRPC_PORT"])))
s.listen()
signal.signal(signal.SIGTERM, lambda *a: (print("graceful stop", flush=True), sys.exit(0)))
signal.pause()
)");
}

TEST(CollectorProcess, ACollectorThatExitsIsReportedWithItsLog) {
  CollectorProcess c(Options(Script("dies.sh",
                                    "#!/bin/sh\n"
                                    "echo 'error: cannot unmarshal the config' >&2\n"
                                    "exit 1\n")));
  const Status s = c.Start(kReady);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("exited with status 1 before it was ready"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("cannot unmarshal the config"), std::string::npos) << s.error;
}

TEST(CollectorProcess, ACollectorThatNeverListensTimesOutAndIsKilled) {
  const std::string pid_file =
      (fs::temp_directory_path() / ("collector_pid_" + std::to_string(getpid()))).string();
  auto o = Options(Script("silent.sh", "#!/bin/sh\necho $$ > " + pid_file + "\nexec sleep 30\n"));
  CollectorProcess c(o);
  const Status s = c.Start(std::chrono::milliseconds(300));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("did not accept connections within 300 ms"), std::string::npos) << s.error;
  pid_t pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_NE(kill(pid, 0), 0) << "the Collector stand-in is still running";
}

TEST(CollectorProcess, GetsItsEndpointsFromTheEnvironmentAndStopsGracefully) {
  CollectorProcess c(Options(ListeningStandIn()));
  const Status s = c.Start(kReady);
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_TRUE(c.Running());
  EXPECT_GT(c.otlp_grpc_port(), 0);
  EXPECT_NE(c.otlp_grpc_port(), c.metrics_port());
  c.Stop(kGrace);
  EXPECT_EQ(c.exit_status(), 0);
  EXPECT_FALSE(c.Running());
  const std::string log = c.Log();
  EXPECT_NE(log.find("sink 127.0.0.1:1 metrics " + std::to_string(c.metrics_port())),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("args --config file:/dev/null"), std::string::npos) << log;
  EXPECT_NE(log.find("graceful stop"), std::string::npos) << log;
  EXPECT_FALSE(c.Scrape().scraped);  // nothing served metrics
}

TEST(CollectorProcess, AMissingBinaryIsNamed) {
  CollectorProcess c(Options("/nonexistent/otelcol"));
  const Status s = c.Start(kReady);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("'/nonexistent/otelcol' does not exist"), std::string::npos) << s.error;
}

TEST(CollectorProcess, IsAProcessUnderTest) {
  CollectorProcess c(Options(ListeningStandIn()));
  EXPECT_EQ(c.Name(), "collector");
  EXPECT_TRUE(c.LogPath().empty());  // its log is in memory
  ExpectStartsMeasuresAndStopsIdempotently(c);
  EXPECT_EQ(c.exit_status(), 0);
  CollectorProcess dies(Options(Script("dies2.sh", "#!/bin/sh\necho no config >&2\nexit 2\n")));
  ExpectAFailedStartSaysWhy(dies, kReady, "no config");
}

TEST(CollectorProcess, AKilledCollectorRestartsOnTheSamePortsAndStopIsBoundedByTheGrace) {
  // Ignores SIGTERM, so only the SIGKILL after the grace ends it.
  const std::string stubborn = Script("stubborn.py", R"(#!/usr/bin/env python3
import os, signal, socket
signal.signal(signal.SIGTERM, signal.SIG_IGN)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(os.environ["TRACEPROOF_OTLP_GRPC_PORT"])))
s.listen()
while True: signal.pause()
)");
  CollectorProcess c(Options(stubborn));
  ASSERT_TRUE(c.Start(kReady).ok());
  const int port = c.otlp_grpc_port();
  c.Kill();
  EXPECT_FALSE(c.Running());
  std::string error;
  ASSERT_TRUE(c.Restart(error)) << error;
  EXPECT_EQ(c.otlp_grpc_port(), port);
  EXPECT_EQ(c.restarts(), 1);
  const auto begin = std::chrono::steady_clock::now();
  c.Stop(std::chrono::milliseconds(300));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(1500));
  EXPECT_EQ(c.exit_status(), 128 + SIGKILL);
  EXPECT_NE(c.Log().find("Collector killed (SIGKILL)"), std::string::npos) << c.Log();
}

}  // namespace
}  // namespace traceproof
