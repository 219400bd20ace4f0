// The RabbitMQ broker process against Debian's rabbitmq-server (bounded in time): it is a
// ProcessUnderTest, runs on an epmd of its own that does not daemonize, leaves no process or
// directory after Stop, and none after the SIGKILL of the process that started it (its reaper
// kills the node's group and epmd). A process "of the broker" is one whose command line or
// environment names its node: the script, beam.smp, erl_child_setup (its own session), epmd.
#include "process/rabbitmq_broker.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "process/reaper.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string ReadAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool Zombie(const std::string& pid) {
  const std::string stat = ReadAll("/proc/" + pid + "/stat");
  const std::size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z';
}

// Live processes whose command line or environment contain `needle`.
std::vector<std::string> ProcessesNaming(const std::string& needle) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (pid == std::to_string(getpid()) || Zombie(pid)) continue;
    const std::string text = ReadAll(entry.path() / "cmdline") + ReadAll(entry.path() / "environ");
    if (text.find(needle) != std::string::npos)
      found.push_back(pid + " " + ReadAll(entry.path() / "comm"));
  }
  return found;
}

// Waits until no process names `needle` (reaping orphans handed to this subreaper meanwhile).
std::vector<std::string> LeftAfter(const std::string& needle, milliseconds bound) {
  const auto deadline = Clock::now() + bound;
  std::vector<std::string> left;
  do {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    left = ProcessesNaming(needle);
    if (left.empty()) return left;
    std::this_thread::sleep_for(milliseconds(100));
  } while (Clock::now() < deadline);
  return left;
}

TEST(RabbitMqBroker, RunsOnItsOwnForegroundEpmdAndStopLeavesNothing) {
  auto broker = MakeRabbitMqBroker({});
  EXPECT_EQ(broker->Name(), "rabbitmq");
  const Status started = broker->Start(milliseconds(60000));
  ASSERT_TRUE(started.ok()) << started.error;
  const std::string node = broker->node_name();
  // epmd is ours: our child, in a group of its own, not a daemon in a session of its own.
  const pid_t epmd = broker->epmd_pid();
  ASSERT_GT(epmd, 0);
  EXPECT_EQ(getpgid(epmd), epmd);
  EXPECT_EQ(getsid(epmd), getsid(0));
  EXPECT_EQ(ReadAll("/proc/" + std::to_string(epmd) + "/comm"), "epmd\n");
  // The only epmd of the broker is ours: none daemonized. (The node's port programs, e.g.
  // inet_gethost, live in sessions erl_child_setup makes for them and exit with beam: the
  // assertions after Stop, and after the SIGKILL below, cover them.)
  std::vector<std::string> epmds;
  for (const std::string& p : ProcessesNaming(node))
    if (p.ends_with(" epmd\n")) epmds.push_back(p);
  EXPECT_EQ(epmds, std::vector<std::string>{std::to_string(epmd) + " epmd\n"});
  const ProcessMetrics running = broker->Metrics();
  EXPECT_GT(running.cpu_seconds, 0);
  EXPECT_GT(running.wall_seconds, 0);
  const fs::path log = broker->LogPath();
  EXPECT_TRUE(fs::exists(log)) << log;
  broker->Stop(kRabbitMqStopTimeout);
  broker->Stop(kRabbitMqStopTimeout);  // idempotent
  EXPECT_EQ(LeftAfter(node, milliseconds(5000)), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(log.parent_path().parent_path())) << "its directory was left";
}

// What the owner below reports once its broker is up.
struct Started {
  char node[128];
  char dir[256];
};

// The process that started the broker (standing in for traceproof) is SIGKILLed: no Stop runs,
// the reaper alone cleans up.
TEST(RabbitMqBroker, TheSigkillOfItsOwnerLeavesNoProcessOfIt) {
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  const pid_t owner = fork();
  if (owner == 0) {
    try {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::string error;
      auto reaper = StartReaper({}, error);
      RabbitMqBrokerOptions o;
      o.reaper = reaper.get();
      o.start_timeout = milliseconds(60000);
      auto broker = reaper ? StartRabbitMqBroker(o, error) : nullptr;
      Started started{};
      if (broker) {
        broker->node_name().copy(started.node, sizeof started.node - 1);
        broker->LogPath().parent_path().parent_path().string().copy(started.dir,
                                                                    sizeof started.dir - 1);
      }
      (void)!write(report[1], &started, sizeof started);
      for (;;) pause();
    } catch (...) {
      _exit(1);
    }
  }
  close(report[1]);
  Started started{};
  ASSERT_EQ(read(report[0], &started, sizeof started), static_cast<ssize_t>(sizeof started));
  close(report[0]);
  const std::string node = started.node;
  ASSERT_FALSE(node.empty()) << "the broker did not start";
  ASSERT_FALSE(ProcessesNaming(node).empty());
  kill(owner, SIGKILL);
  waitpid(owner, nullptr, 0);
  EXPECT_EQ(LeftAfter(node, milliseconds(8000)), std::vector<std::string>{});
  // The directory stays (only Stop removes it); the test tidies up.
  std::error_code ec;
  if (std::string(started.dir).starts_with("/tmp/traceproof-rabbitmq."))
    fs::remove_all(started.dir, ec);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

}  // namespace
}  // namespace traceproof
