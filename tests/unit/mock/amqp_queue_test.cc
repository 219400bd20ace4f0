// The AMQP queue against a real RabbitMQ that the test starts on loopback (bounded in time):
// headers survive the broker, every message is delivered once and acked, a nacked message comes
// back flagged as redelivered, and stopping the broker leaves no process of it behind.
#include "mock_services/amqp_queue.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "process/rabbitmq_broker.h"

namespace traceproof::mock {
namespace {

using std::chrono::milliseconds;

class AmqpQueueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    broker_ = StartRabbitMqBroker({}, error).release();
    ASSERT_NE(broker_, nullptr) << error;  // fails with the broker's log, never skips
  }
  static void TearDownTestSuite() {
    if (!broker_) return;
    const pid_t group = broker_->pid();
    delete broker_;
    broker_ = nullptr;
    EXPECT_NE(kill(-group, 0), 0) << "processes of the broker's group outlived Stop()";
  }
  void SetUp() override {
    if (!broker_) GTEST_FAIL() << "no broker";
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  static AmqpQueueOptions Options() {
    AmqpQueueOptions o;
    o.url = broker_->amqp_url();
    return o;
  }

  static RabbitMqBroker* broker_;
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      ioc_.get_executor()};
  std::thread thread_;
};
RabbitMqBroker* AmqpQueueTest::broker_ = nullptr;

struct Received {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<QueueMessage> messages;
  bool WaitFor(std::size_t n, milliseconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return messages.size() >= n; });
  }
};

TEST_F(AmqpQueueTest, HeadersCrossTheBrokerAndEveryMessageIsDeliveredOnceAndAcked) {
  std::string error;
  auto queue = MakeAmqpQueue(Options(), ioc_.get_executor(), error);
  ASSERT_NE(queue, nullptr) << error;
  EXPECT_EQ(queue->system(), "rabbitmq");
  constexpr int kMessages = 200;
  for (int i = 0; i < kMessages; ++i) {
    QueueMessage m;
    m.body = std::to_string(i);
    m.headers = {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
                 {"tracestate", "vendor=x"},
                 {"x-traceproof-request-id", std::to_string(i)}};
    ASSERT_TRUE(queue->Publish("test.headers", std::move(m)));
  }
  Received got;
  queue->Subscribe("test.headers", [&got](QueueMessage m) {
    if (m.settle) m.settle(true);
    std::lock_guard lock(got.mu);
    got.messages.push_back(std::move(m));
    got.cv.notify_all();
  });
  ASSERT_TRUE(got.WaitFor(kMessages, milliseconds(10000)));
  std::this_thread::sleep_for(milliseconds(300));  // acks go out; nothing more arrives
  std::lock_guard lock(got.mu);
  EXPECT_EQ(got.messages.size(), static_cast<std::size_t>(kMessages));
  for (const QueueMessage& m : got.messages) {
    ASSERT_EQ(m.headers.size(), 3u);
    EXPECT_EQ(m.headers[0].first, "traceparent");
    EXPECT_EQ(m.headers[0].second, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    EXPECT_EQ(m.headers[1].second, "vendor=x");
    EXPECT_EQ(m.headers[2].second, m.body);
    EXPECT_FALSE(m.redelivered);
  }
  const AmqpQueueStats s = queue->amqp_stats();
  EXPECT_EQ(s.published, static_cast<std::uint64_t>(kMessages));
  EXPECT_EQ(s.acked, static_cast<std::uint64_t>(kMessages));
  EXPECT_EQ(s.publish_failed, 0u);
}

TEST_F(AmqpQueueTest, ANackedMessageIsRedeliveredFlagged) {
  std::string error;
  auto queue = MakeAmqpQueue(Options(), ioc_.get_executor(), error);
  ASSERT_NE(queue, nullptr) << error;
  QueueMessage once;
  once.body = "once";
  ASSERT_TRUE(queue->Publish("test.nack", std::move(once)));
  Received got;
  queue->Subscribe("test.nack", [&got](QueueMessage m) {
    if (m.settle) m.settle(m.redelivered);  // nack the first delivery, ack the second
    std::lock_guard lock(got.mu);
    got.messages.push_back(std::move(m));
    got.cv.notify_all();
  });
  ASSERT_TRUE(got.WaitFor(2, milliseconds(10000)));
  std::lock_guard lock(got.mu);
  EXPECT_FALSE(got.messages[0].redelivered);
  EXPECT_TRUE(got.messages[1].redelivered);
  EXPECT_EQ(got.messages[1].body, "once");
}

// Last among the broker tests: it restarts the shared broker. Persistent messages on a durable
// queue survive the restart; a consumer holding unacked deliveries gets them again from the
// restarted broker (its connection broke, so it reconnects); the publisher reconnects too.
TEST_F(AmqpQueueTest, PersistentMessagesSurviveABrokerRestartAndUnackedOnesComeBack) {
  std::string error;
  auto queue = MakeAmqpQueue(Options(), ioc_.get_executor(), error);
  ASSERT_NE(queue, nullptr) << error;
  constexpr int kMessages = 50;
  for (int i = 0; i < kMessages; ++i) {
    QueueMessage m;
    m.body = std::to_string(i);
    ASSERT_TRUE(queue->Publish("test.restart", std::move(m)));
  }
  Received held;  // delivered before the restart, never settled
  queue->Subscribe("test.restart", [&held](QueueMessage m) {
    std::lock_guard lock(held.mu);
    if (!m.redelivered && held.messages.size() < kMessages) {
      held.messages.push_back(std::move(m));
    } else {
      if (m.settle) m.settle(true);
      held.messages.push_back(std::move(m));
    }
    held.cv.notify_all();
  });
  ASSERT_TRUE(held.WaitFor(kMessages, milliseconds(10000)));
  ASSERT_TRUE(broker_->Restart(error)) << error;
  ASSERT_TRUE(held.WaitFor(2 * kMessages, milliseconds(20000)))
      << "after the restart, " << held.messages.size() - kMessages << " of " << kMessages
      << " unacked messages came back";
  // The publisher's connection broke with the restart: the first publish may fail (or be
  // written to the dead socket); it reconnects within a few attempts.
  int attempts = 0;
  bool published = false;
  while (!published && attempts < 5) {
    ++attempts;
    QueueMessage m;
    m.body = "after";
    published = queue->Publish("test.restart.after", std::move(m));
  }
  EXPECT_TRUE(published) << "publish after the restart failed " << attempts << " times";
  std::lock_guard lock(held.mu);
  std::set<std::string> again;
  for (std::size_t i = kMessages; i < held.messages.size(); ++i)
    again.insert(held.messages[i].body);
  EXPECT_EQ(again.size(), static_cast<std::size_t>(kMessages));
  const AmqpQueueStats s = queue->amqp_stats();
  EXPECT_GE(s.reconnects, 2u) << "consumer and publisher reconnect";
  EXPECT_EQ(s.delivered, static_cast<std::uint64_t>(2 * kMessages));
}

TEST(AmqpQueue, UnreachableBrokerIsAnErrorNotAHang) {
  boost::asio::io_context ioc;
  std::string error;
  AmqpQueueOptions options;
  options.url = "amqp://127.0.0.1:1";
  options.connect_timeout = milliseconds(500);
  auto queue = MakeAmqpQueue(options, ioc.get_executor(), error);
  EXPECT_EQ(queue, nullptr);
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof::mock
