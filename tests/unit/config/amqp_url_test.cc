#include "config/amqp_url.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

TEST(AmqpUrl, ReadsUserPasswordHostPortAndVhost) {
  std::string error;
  const auto url = ParseAmqpUrl("amqp://alice:secret@broker.local:5673/orders", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->user, "alice");
  EXPECT_EQ(url->password, "secret");
  EXPECT_EQ(url->host, "broker.local");
  EXPECT_EQ(url->port, 5673);
  EXPECT_EQ(url->vhost, "orders");
}

TEST(AmqpUrl, DefaultsToGuestOnTheStandardPortAndTheRootVhost) {
  std::string error;
  const auto url = ParseAmqpUrl("amqp://127.0.0.1", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->user, "guest");
  EXPECT_EQ(url->port, 5672);
  EXPECT_EQ(url->vhost, "/");
}

TEST(AmqpUrl, RefusesOtherSchemesAndSaysAmqpsIsNotSupported) {
  std::string error;
  EXPECT_FALSE(ParseAmqpUrl("http://x", error));
  EXPECT_NE(error.find("amqps is not supported"), std::string::npos) << error;
  EXPECT_FALSE(ParseAmqpUrl("amqp://host:notaport", error));
  EXPECT_NE(error.find("not a valid AMQP URL"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof
