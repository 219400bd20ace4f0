// SpawnChild: a child leads its own process group and reads /dev/null, gets the environment and
// working directory it is given, writes to a file when told to, says why it could not start, and,
// spawned with a reaper, dies when the process that spawned it is SIGKILLed.
#include "process/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "process/reaper.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

fs::path TempDir() {
  const fs::path dir =
      fs::temp_directory_path() / ("traceproof_child_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

TEST(SpawnChild, TheChildLeadsItsOwnProcessGroupAndReadsDevNull) {
  std::string error;
  auto child = SpawnChild({"/bin/sh", "-c", "ps -o pgid= -p $$; cat; echo read-done"}, error, {});
  ASSERT_NE(child, nullptr) << error;
  const ChildExit exit = child->Finish(false);  // `cat` would hang on an inherited terminal
  EXPECT_EQ(exit.status, 0);
  EXPECT_EQ(std::stoi(child->Output()), child->pid()) << child->Output();
  EXPECT_NE(child->pid(), getpgrp());
  EXPECT_NE(child->Output().find("read-done"), std::string::npos);
}

TEST(SpawnChild, GetsItsEnvironmentAndWorkingDirectory) {
  ChildOptions o;
  o.env = {{"TRACEPROOF_CHILD_TEST", "value"}, {"HOME", "/nowhere"}};
  o.cwd = TempDir();
  std::string error;
  auto child = SpawnChild({"/bin/sh", "-c", "echo $TRACEPROOF_CHILD_TEST $HOME; pwd"}, error, o);
  ASSERT_NE(child, nullptr) << error;
  EXPECT_EQ(child->Finish(false).status, 0);
  EXPECT_EQ(child->Output(), "value /nowhere\n" + o.cwd.string() + "\n");
}

TEST(SpawnChild, InheritedVariablesWithADroppedPrefixAreNotPassedOn) {
  ::setenv("TRACEPROOF_DROP_ME", "inherited", 1);
  ::setenv("TRACEPROOF_KEEP_ME", "inherited", 1);
  ChildOptions o;
  o.env = {{"TRACEPROOF_DROP_ME_TOO", "given"}};
  o.drop_inherited_prefixes = {"TRACEPROOF_DROP_"};
  std::string error;
  auto child =
      SpawnChild({"/bin/sh", "-c",
                  "echo ${TRACEPROOF_DROP_ME:-unset} $TRACEPROOF_DROP_ME_TOO $TRACEPROOF_KEEP_ME"},
                 error, o);
  ::unsetenv("TRACEPROOF_DROP_ME");
  ::unsetenv("TRACEPROOF_KEEP_ME");
  ASSERT_NE(child, nullptr) << error;
  EXPECT_EQ(child->Finish(false).status, 0);
  EXPECT_EQ(child->Output(), "unset given inherited\n");
}

TEST(SpawnChild, AnOutputFileIsAppendedTo) {
  ChildOptions o;
  o.output_file = TempDir() / "out.log";
  std::ofstream(o.output_file) << "before\n";
  std::string error;
  auto child = SpawnChild({"/bin/sh", "-c", "echo out; echo err >&2"}, error, o);
  ASSERT_NE(child, nullptr) << error;
  EXPECT_EQ(child->Finish(false).status, 0);
  EXPECT_EQ(child->Output(), "");
  EXPECT_FALSE(child->WaitForLine("out", milliseconds(10)));
  std::ifstream in(o.output_file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "before\nout\nerr\n");
}

TEST(SpawnChild, SaysWhyItCouldNotStart) {
  std::string error;
  EXPECT_EQ(SpawnChild({"/nonexistent/program"}, error, {}), nullptr);
  EXPECT_EQ(error, "cannot run /nonexistent/program: No such file or directory");
  ChildOptions o;
  o.cwd = "/nonexistent/dir";
  EXPECT_EQ(SpawnChild({"/bin/true"}, error, o), nullptr);
  EXPECT_EQ(error, "cannot run /bin/true: chdir /nonexistent/dir: No such file or directory");
  EXPECT_EQ(SpawnChild({}, error, {}), nullptr);
  EXPECT_EQ(error, "empty command");
}

TEST(SpawnChild, StopTerminatesThenKillsTheGroupAfterTheGrace) {
  std::string error;
  auto child = SpawnChild({"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"},
                          error, {});
  ASSERT_NE(child, nullptr) << error;
  ASSERT_TRUE(child->WaitForLine("ready", milliseconds(2000)));
  const auto begin = std::chrono::steady_clock::now();
  const ChildExit exit = child->Stop(milliseconds(200));
  // The whole group is killed: no `sleep 1` left holding the output pipe open.
  EXPECT_GE(std::chrono::steady_clock::now() - begin, milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, milliseconds(800));
  EXPECT_EQ(exit.status, 128 + SIGKILL);
  EXPECT_FALSE(child->Running());
}

// The spawner (standing in for traceproof) is SIGKILLed; its child, registered with the reaper
// by SpawnChild, is killed with everything in its group.
TEST(SpawnChild, WithAReaperTheChildsGroupDiesWithTheSpawner) {
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);  // orphans come to the test, to be reaped
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  const pid_t spawner = fork();
  if (spawner == 0) {
    // A forked copy of the test: it must never return into gtest.
    try {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::string error;
      auto reaper = StartReaper({}, error);
      ChildOptions o;
      o.reaper = reaper.get();
      // The shell and its sleep: a group of two, only the shell a child of the spawner.
      auto child = SpawnChild({"/bin/sh", "-c", "sleep 30 & echo background $!; wait"}, error, o);
      if (!reaper || !child) _exit(1);
      const auto line = child->WaitForLine("background ", milliseconds(2000));
      const pid_t pids[2] = {child->pid(), line ? std::stoi(line->substr(11)) : 0};
      (void)!write(report[1], pids, sizeof pids);
      for (;;) pause();
    } catch (...) {
      _exit(1);
    }
  }
  close(report[1]);
  pid_t pids[2] = {0, 0};
  ASSERT_EQ(read(report[0], pids, sizeof pids), static_cast<ssize_t>(sizeof pids));
  close(report[0]);
  ASSERT_GT(pids[1], 0);
  EXPECT_EQ(getpgid(pids[1]), pids[0]);
  kill(spawner, SIGKILL);
  waitpid(spawner, nullptr, 0);
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(3000);
  while (kill(-pids[0], 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_NE(kill(-pids[0], 0), 0) << "the child's group outlived its spawner";
  kill(-pids[0], SIGKILL);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

}  // namespace
}  // namespace traceproof
