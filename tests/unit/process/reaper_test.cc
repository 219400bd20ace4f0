// The reaper: an owner process (standing in for traceproof) starts it and registers process
// groups; the owner is SIGKILLed, and the registered groups are gone within a bound, the
// unregistered ones left alone, the reaper itself exited. The test process is a child subreaper,
// so the orphaned reaper is reparented to it and its exit can be waited for.
#include "process/reaper.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>
#include <vector>

namespace traceproof {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// `sh -c script` as the leader of a new process group; it dies with the test.
pid_t StartGroup(const char* script) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execl("/bin/sh", "sh", "-c", script, static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

// Reaps `pid` (a child of the test) if it exits within `timeout`.
bool ExitsWithin(pid_t pid, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  do {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(milliseconds(10));
  } while (Clock::now() < deadline);
  return false;
}

bool RunningNotZombie(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

// Stands in for traceproof: starts a reaper, registers `groups`, unregisters `unregistered`,
// reports the reaper's pid and waits to be killed. Dies with the test.
struct Owner {
  pid_t pid = -1;
  pid_t reaper = -1;
};

Owner StartOwner(const std::vector<pid_t>& groups, const std::vector<pid_t>& unregistered,
                 milliseconds grace = milliseconds(1000)) {
  int report[2];
  EXPECT_EQ(pipe(report), 0);
  Owner owner;
  owner.pid = fork();
  if (owner.pid == 0) {
    close(report[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::string error;
    auto reaper = StartReaper({grace}, error);
    if (!reaper) _exit(1);
    for (pid_t g : groups) reaper->Register(g);
    for (pid_t g : unregistered) reaper->Unregister(g);
    const pid_t reaper_pid = reaper->pid();
    (void)!write(report[1], &reaper_pid, sizeof reaper_pid);
    for (;;) pause();
  }
  close(report[1]);
  EXPECT_EQ(read(report[0], &owner.reaper, sizeof owner.reaper),
            static_cast<ssize_t>(sizeof owner.reaper));
  close(report[0]);
  // The owner's records are in the pipe; give the reaper a moment to take them in.
  std::this_thread::sleep_for(milliseconds(100));
  return owner;
}

void KillOwner(const Owner& owner) {
  kill(owner.pid, SIGKILL);
  waitpid(owner.pid, nullptr, 0);
}

class ReaperTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }
  void TearDown() override {
    for (pid_t g : started_) kill(-g, SIGKILL);
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
  pid_t Group(const char* script) {
    started_.push_back(StartGroup(script));
    return started_.back();
  }
  std::vector<pid_t> started_;
};

TEST_F(ReaperTest, ARegisteredGroupDiesWithItsOwnersSigkillAndTheReaperExits) {
  const pid_t group = Group("exec sleep 30");
  const Owner owner = StartOwner({group}, {});
  ASSERT_GT(owner.reaper, 0);
  EXPECT_TRUE(RunningNotZombie(group));
  KillOwner(owner);
  EXPECT_TRUE(ExitsWithin(group, milliseconds(2000))) << "the registered group outlived its owner";
  EXPECT_TRUE(ExitsWithin(owner.reaper, milliseconds(3000))) << "the reaper did not exit";
}

TEST_F(ReaperTest, AnUnregisteredGroupIsLeftAlone) {
  const pid_t kept = Group("exec sleep 30");
  const pid_t dropped = Group("exec sleep 30");
  const pid_t never = Group("exec sleep 30");
  const Owner owner = StartOwner({kept, dropped}, {dropped});
  KillOwner(owner);
  EXPECT_TRUE(ExitsWithin(kept, milliseconds(2000)));
  EXPECT_TRUE(ExitsWithin(owner.reaper, milliseconds(3000)));
  EXPECT_TRUE(RunningNotZombie(dropped)) << "an unregistered group was killed";
  EXPECT_TRUE(RunningNotZombie(never)) << "a group never registered was killed";
}

TEST_F(ReaperTest, AGroupThatIgnoresSigtermIsKilledAfterTheGrace) {
  // The shell and its sleep both ignore SIGTERM (an ignored signal stays ignored across exec).
  const pid_t stubborn = Group("trap '' TERM; sleep 30; sleep 30");
  const Owner owner = StartOwner({stubborn}, {}, milliseconds(300));
  const auto begin = Clock::now();
  KillOwner(owner);
  EXPECT_TRUE(ExitsWithin(stubborn, milliseconds(2000)));
  EXPECT_GE(Clock::now() - begin, milliseconds(250)) << "SIGKILL came before the grace";
  EXPECT_TRUE(ExitsWithin(owner.reaper, milliseconds(2000)));
}

TEST_F(ReaperTest, TheReaperSurvivesCtrlCAndHangupAndStillCleansUp) {
  const pid_t group = Group("exec sleep 30");
  const Owner owner = StartOwner({group}, {});
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) kill(owner.reaper, sig);
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_TRUE(RunningNotZombie(owner.reaper)) << "a stop signal killed the reaper";
  KillOwner(owner);
  EXPECT_TRUE(ExitsWithin(group, milliseconds(2000)));
  EXPECT_TRUE(ExitsWithin(owner.reaper, milliseconds(3000)));
}

TEST_F(ReaperTest, DestroyingItKillsWhatIsStillRegisteredAndWaitsForTheReaper) {
  const pid_t left = Group("exec sleep 30");
  const pid_t done = Group("exec sleep 30");
  std::string error;
  auto reaper = StartReaper({milliseconds(500)}, error);
  ASSERT_NE(reaper, nullptr) << error;
  const pid_t reaper_pid = reaper->pid();
  reaper->Register(left);
  reaper->Register(done);
  reaper->Unregister(done);
  const auto begin = Clock::now();
  reaper.reset();
  EXPECT_LT(Clock::now() - begin, milliseconds(1500));
  EXPECT_NE(kill(reaper_pid, 0), 0) << "the reaper was not waited for";
  EXPECT_TRUE(ExitsWithin(left, milliseconds(1000)));
  EXPECT_TRUE(RunningNotZombie(done));
}

TEST_F(ReaperTest, WritingToAReaperThatWasKilledDoesNotKillTheWriter) {
  std::string error;
  auto reaper = StartReaper({}, error);
  ASSERT_NE(reaper, nullptr) << error;
  kill(reaper->pid(), SIGKILL);
  waitpid(reaper->pid(), nullptr, 0);
  reaper->Register(12345);  // EPIPE, and no SIGPIPE: the test would die of it
  reaper->Unregister(12345);
  sigset_t pending;
  sigpending(&pending);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);
}

}  // namespace
}  // namespace traceproof
