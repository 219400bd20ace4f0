#include "process/amqp_probe.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <fmt/format.h>

#include "config/amqp_url.h"

namespace traceproof {
namespace {

constexpr amqp_channel_t kChannel = 1;

std::string ReplyText(const amqp_rpc_reply_t& r) {
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) return amqp_error_string2(r.library_error);
  if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION)
    return fmt::format("server exception, method {:#x}", r.reply.id);
  return "no reply";
}

// Owns one rabbitmq-c connection for the probe; closes what was opened, in reverse.
class ProbeConnection {
 public:
  ProbeConnection() : conn_(amqp_new_connection()) {}
  ~ProbeConnection() {
    if (channel_open_) amqp_channel_close(conn_, kChannel, AMQP_REPLY_SUCCESS);
    if (logged_in_) amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn_);
  }
  ProbeConnection(const ProbeConnection&) = delete;
  ProbeConnection& operator=(const ProbeConnection&) = delete;

  bool Open(const AmqpUrl& url, std::chrono::milliseconds timeout, std::string& error) {
    amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
    if (!socket) {
      error = "cannot create a socket";
      return false;
    }
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    amqp_set_handshake_timeout(conn_, &tv);
    amqp_set_rpc_timeout(conn_, &tv);
    if (const int rc = amqp_socket_open_noblock(socket, url.host.c_str(), url.port, &tv);
        rc != AMQP_STATUS_OK) {
      error =
          fmt::format("cannot connect to {}:{}: {}", url.host, url.port, amqp_error_string2(rc));
      return false;
    }
    amqp_rpc_reply_t r = amqp_login(conn_, url.vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                                    url.user.c_str(), url.password.c_str());
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "AMQP login failed: " + ReplyText(r);
      return false;
    }
    logged_in_ = true;
    amqp_channel_open(conn_, kChannel);
    r = amqp_get_rpc_reply(conn_);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "AMQP channel open failed: " + ReplyText(r);
      return false;
    }
    channel_open_ = true;
    return true;
  }

 private:
  amqp_connection_state_t conn_;
  bool logged_in_ = false;
  bool channel_open_ = false;
};

}  // namespace

bool AmqpAnswers(const std::string& url, std::chrono::milliseconds timeout, std::string& error) {
  const auto parsed = ParseAmqpUrl(url, error);
  if (!parsed) return false;
  ProbeConnection conn;
  return conn.Open(*parsed, timeout, error);
}

}  // namespace traceproof
