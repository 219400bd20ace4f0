// CollectorProcess with stand-ins for the Collector (small shell and Python scripts): it passes
// the endpoints in the environment, waits for the OTLP/gRPC port, reports a Collector that dies
// or never listens with its log, and never leaves the process behind.
#include "process/collector_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

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
  o.ready_timeout = std::chrono::milliseconds(3000);
  o.stop_grace = std::chrono::milliseconds(2000);
  return o;
}

TEST(CollectorProcess, ACollectorThatExitsIsReportedWithItsLog) {
  CollectorProcess c(Options(Script("dies.sh",
                                    "#!/bin/sh\n"
                                    "echo 'error: cannot unmarshal the config' >&2\n"
                                    "exit 1\n")));
  std::string error;
  EXPECT_FALSE(c.Start(error));
  EXPECT_NE(error.find("exited with status 1 before it was ready"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot unmarshal the config"), std::string::npos) << error;
}

TEST(CollectorProcess, ACollectorThatNeverListensTimesOutAndIsKilled) {
  const std::string pid_file =
      (fs::temp_directory_path() / ("collector_pid_" + std::to_string(getpid()))).string();
  auto o = Options(Script("silent.sh", "#!/bin/sh\necho $$ > " + pid_file + "\nexec sleep 30\n"));
  o.ready_timeout = std::chrono::milliseconds(300);
  CollectorProcess c(o);
  std::string error;
  EXPECT_FALSE(c.Start(error));
  EXPECT_NE(error.find("did not accept connections within 300 ms"), std::string::npos) << error;
  pid_t pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_NE(kill(pid, 0), 0) << "the Collector stand-in is still running";
}

TEST(CollectorProcess, GetsItsEndpointsFromTheEnvironmentAndStopsGracefully) {
  // Listens where TRACEPROOF_OTLP_GRPC_PORT says, prints what it was told, exits on SIGTERM.
  const std::string py = Script("listens.py", R"(#!/usr/bin/env python3
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
  CollectorProcess c(Options(py));
  std::string error;
  ASSERT_TRUE(c.Start(error)) << error;
  EXPECT_TRUE(c.Running());
  EXPECT_GT(c.otlp_grpc_port(), 0);
  EXPECT_NE(c.otlp_grpc_port(), c.metrics_port());
  EXPECT_EQ(c.Stop(), 0);
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
  std::string error;
  EXPECT_FALSE(c.Start(error));
  EXPECT_NE(error.find("'/nonexistent/otelcol' does not exist"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof
