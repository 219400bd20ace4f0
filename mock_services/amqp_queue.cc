#include "mock_services/amqp_queue.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <fmt/format.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "config/amqp_url.h"

namespace traceproof::mock {
namespace {

using std::chrono::milliseconds;
constexpr amqp_channel_t kChannel = 1;

std::string ReplyText(const amqp_rpc_reply_t& r) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
        return fmt::format(
            "connection closed by the broker: {} {}", m->reply_code,
            std::string_view(static_cast<const char*>(m->reply_text.bytes), m->reply_text.len));
      }
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
        return fmt::format(
            "channel closed by the broker: {} {}", m->reply_code,
            std::string_view(static_cast<const char*>(m->reply_text.bytes), m->reply_text.len));
      }
      return fmt::format("server exception, method {:#x}", r.reply.id);
  }
  return "?";
}

amqp_bytes_t Bytes(std::string_view s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}
std::string_view View(const amqp_bytes_t& b) { return {static_cast<const char*>(b.bytes), b.len}; }

// One connection with channel 1 open; owned by one thread at a time.
class Connection {
 public:
  ~Connection() { Close(); }
  bool Open(const AmqpUrl& url, milliseconds timeout, std::string& error) {
    Close();
    conn_ = amqp_new_connection();
    amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
    if (!socket) {
      error = "cannot create a socket";
      return false;
    }
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    amqp_set_handshake_timeout(conn_, &tv);
    amqp_set_rpc_timeout(conn_, &tv);
    const int rc = amqp_socket_open_noblock(socket, url.host.c_str(), url.port, &tv);
    if (rc != AMQP_STATUS_OK) {
      error =
          fmt::format("cannot connect to {}:{}: {}", url.host, url.port, amqp_error_string2(rc));
      return false;
    }
    socket_open_ = true;
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
  void Close() {
    if (!conn_) return;
    if (channel_open_) amqp_channel_close(conn_, kChannel, AMQP_REPLY_SUCCESS);
    if (logged_in_) amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn_);
    conn_ = nullptr;
    socket_open_ = logged_in_ = channel_open_ = false;
  }
  bool open() const { return channel_open_; }
  amqp_connection_state_t get() const { return conn_; }

  // Publisher confirms on channel 1: the broker acks each message once it has taken
  // responsibility for it (for a persistent message on a durable queue: written to disk).
  bool SelectConfirms(std::string& error) {
    amqp_confirm_select(conn_, kChannel);
    const amqp_rpc_reply_t r = amqp_get_rpc_reply(conn_);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) {
      next_tag_ = 1;
      return true;
    }
    error = "confirm.select failed: " + ReplyText(r);
    return false;
  }

  // After a publish in confirm mode: waits for the broker's basic.ack (true) or basic.nack, a
  // closed channel or connection, or the timeout (false; whether the broker has the message is
  // then unknown, and the caller treats it as not published).
  bool WaitConfirm(milliseconds timeout) {
    amqp_maybe_release_buffers(conn_);  // frames decoded by earlier waits
    const std::uint64_t tag = next_tag_++;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      timeval tv{static_cast<time_t>(left.count() / 1000000),
                 static_cast<suseconds_t>(left.count() % 1000000)};
      amqp_frame_t frame;
      if (amqp_simple_wait_frame_noblock(conn_, &frame, &tv) != AMQP_STATUS_OK) return false;
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
          auto* m = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
          if (m->delivery_tag == tag || (m->multiple && m->delivery_tag >= tag)) return true;
          break;  // an earlier message's ack
        }
        case AMQP_BASIC_NACK_METHOD: {
          auto* m = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
          if (m->delivery_tag == tag || (m->multiple && m->delivery_tag >= tag)) return false;
          break;
        }
        case AMQP_CHANNEL_CLOSE_METHOD:
        case AMQP_CONNECTION_CLOSE_METHOD:
          return false;
        default:
          break;
      }
    }
  }

  bool DeclareQueue(std::string_view queue, std::string& error) {
    amqp_queue_declare(conn_, kChannel, Bytes(queue), 0, /*durable=*/1, 0, 0, amqp_empty_table);
    const amqp_rpc_reply_t r = amqp_get_rpc_reply(conn_);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) return true;
    error = fmt::format("cannot declare queue '{}': {}", queue, ReplyText(r));
    return false;
  }

 private:
  amqp_connection_state_t conn_ = nullptr;
  bool socket_open_ = false, logged_in_ = false, channel_open_ = false;
  std::uint64_t next_tag_ = 1;  // the delivery tag the broker gives the next confirmed publish
};

// Settlements a handler made (on any thread), applied by the consumer thread that owns the
// connection. Shared with the settle callbacks, which may outlive the queue.
struct Settlements {
  std::mutex mu;
  std::vector<std::pair<std::uint64_t, bool>> pending;  // delivery tag, processed
  std::uint64_t generation = 0;                         // of the connection the tags belong to
};

class Queue final : public AmqpQueue {
 public:
  Queue(AmqpUrl url, AmqpQueueOptions options, boost::asio::any_io_executor executor)
      : url_(std::move(url)), options_(std::move(options)), executor_(std::move(executor)) {}

  ~Queue() override {
    stop_ = true;
    for (auto& t : consumers_) t.join();
    std::lock_guard lock(publish_mu_);
    publisher_.Close();
  }

  bool Connect(std::string& error) {
    std::lock_guard lock(publish_mu_);
    return OpenPublisher(error);
  }

  std::string_view system() const override { return "rabbitmq"; }

  std::uint64_t published() const override { return published_.load(); }

  AmqpQueueStats amqp_stats() const override {
    AmqpQueueStats s;
    s.published = published_.load();
    s.publish_failed = publish_failed_.load();
    s.delivered = delivered_.load();
    s.redelivered = redelivered_.load();
    s.acked = acked_.load();
    s.nacked = nacked_.load();
    s.reconnects = reconnects_.load();
    return s;
  }

  bool Publish(std::string_view queue, QueueMessage message) override {
    std::vector<amqp_table_entry_t> entries;
    entries.reserve(message.headers.size());
    for (const auto& [name, value] : message.headers) {
      amqp_table_entry_t e;
      e.key = Bytes(name);
      e.value.kind = AMQP_FIELD_KIND_UTF8;
      e.value.value.bytes = Bytes(value);
      entries.push_back(e);
    }
    amqp_basic_properties_t props;
    props._flags =
        AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_HEADERS_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.delivery_mode = 2;  // persistent: survives a broker restart with the durable queue
    props.headers.num_entries = static_cast<int>(entries.size());
    props.headers.entries = entries.data();

    std::lock_guard lock(publish_mu_);
    std::string error;
    if (!publisher_.open()) {
      if (!OpenPublisher(error)) {
        ++publish_failed_;
        return false;
      }
      ++reconnects_;
      declared_.clear();
    }
    if (!declared_.contains(queue)) {
      if (!publisher_.DeclareQueue(queue, error)) {
        publisher_.Close();
        ++publish_failed_;
        return false;
      }
      declared_.emplace(queue);
    }
    const int rc = amqp_basic_publish(publisher_.get(), kChannel, amqp_empty_bytes, Bytes(queue), 0,
                                      0, &props, Bytes(message.body));
    if (rc != AMQP_STATUS_OK || !publisher_.WaitConfirm(options_.confirm_timeout)) {
      publisher_.Close();  // its state is unknown: start over on a fresh connection
      ++publish_failed_;
      return false;
    }
    ++published_;
    return true;
  }

  void Subscribe(std::string_view queue, Handler handler) override {
    consumers_.emplace_back([this, name = std::string(queue), handler = std::move(handler)] {
      Consume(name, handler);
    });
  }

 private:
  bool OpenPublisher(std::string& error) {  // with publish_mu_ held
    if (publisher_.Open(url_, options_.connect_timeout, error) && publisher_.SelectConfirms(error))
      return true;
    publisher_.Close();
    return false;
  }

  // One consumer's life: connect, declare, consume with manual acks; on a broken connection,
  // reconnect (deliveries not acked before are redelivered by the broker).
  void Consume(const std::string& queue, const Handler& handler) {
    auto settlements = std::make_shared<Settlements>();
    Connection conn;
    bool first = true;
    while (!stop_) {
      std::string error;
      if (!conn.Open(url_, options_.connect_timeout, error) || !conn.DeclareQueue(queue, error)) {
        conn.Close();
        std::this_thread::sleep_for(milliseconds(200));
        continue;
      }
      if (!first) ++reconnects_;
      first = false;
      {
        std::lock_guard lock(settlements->mu);
        settlements->pending.clear();  // tags of the old connection mean nothing now
        ++settlements->generation;
      }
      amqp_basic_qos(conn.get(), kChannel, 0, static_cast<std::uint16_t>(options_.prefetch), 0);
      amqp_basic_consume(conn.get(), kChannel, Bytes(queue), amqp_empty_bytes, 0, /*no_ack=*/0, 0,
                         amqp_empty_table);
      if (amqp_get_rpc_reply(conn.get()).reply_type != AMQP_RESPONSE_NORMAL) {
        conn.Close();
        continue;
      }
      while (!stop_) {
        if (!ApplySettlements(conn, *settlements)) break;
        amqp_maybe_release_buffers(conn.get());
        amqp_envelope_t envelope;
        timeval poll{0, 20000};
        const amqp_rpc_reply_t r = amqp_consume_message(conn.get(), &envelope, &poll, 0);
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT) {
          continue;
        }
        if (r.reply_type != AMQP_RESPONSE_NORMAL) break;  // connection lost: reconnect
        Deliver(envelope, settlements, handler);
        amqp_destroy_envelope(&envelope);
      }
      if (!stop_) conn.Close();
    }
    if (conn.open()) ApplySettlements(conn, *settlements);  // what finished before Stop
  }

  bool ApplySettlements(Connection& conn, Settlements& s) {
    std::vector<std::pair<std::uint64_t, bool>> pending;
    {
      std::lock_guard lock(s.mu);
      pending.swap(s.pending);
    }
    for (const auto& [tag, processed] : pending) {
      const int rc = processed ? amqp_basic_ack(conn.get(), kChannel, tag, 0)
                               : amqp_basic_nack(conn.get(), kChannel, tag, 0, /*requeue=*/1);
      if (rc != AMQP_STATUS_OK) return false;
      ++(processed ? acked_ : nacked_);
    }
    return true;
  }

  void Deliver(const amqp_envelope_t& envelope, const std::shared_ptr<Settlements>& settlements,
               const Handler& handler) {
    ++delivered_;
    QueueMessage msg;
    msg.body = std::string(View(envelope.message.body));
    msg.redelivered = envelope.redelivered != 0;
    if (msg.redelivered) ++redelivered_;
    const amqp_basic_properties_t& props = envelope.message.properties;
    if (props._flags & AMQP_BASIC_HEADERS_FLAG) {
      for (int i = 0; i < props.headers.num_entries; ++i) {
        const amqp_table_entry_t& e = props.headers.entries[i];
        if (e.value.kind != AMQP_FIELD_KIND_UTF8 && e.value.kind != AMQP_FIELD_KIND_BYTES) continue;
        std::string name(View(e.key));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        msg.headers.emplace_back(std::move(name), std::string(View(e.value.value.bytes)));
      }
    }
    std::uint64_t generation;
    {
      std::lock_guard lock(settlements->mu);
      generation = settlements->generation;
    }
    msg.settle = [settlements, generation, tag = envelope.delivery_tag](bool processed) {
      std::lock_guard lock(settlements->mu);
      if (settlements->generation == generation) settlements->pending.emplace_back(tag, processed);
    };
    auto shared = std::make_shared<QueueMessage>(std::move(msg));
    boost::asio::post(executor_, [handler, shared] { handler(std::move(*shared)); });
  }

  const AmqpUrl url_;
  const AmqpQueueOptions options_;
  boost::asio::any_io_executor executor_;
  std::mutex publish_mu_;
  Connection publisher_;                         // guarded by publish_mu_
  std::set<std::string, std::less<>> declared_;  // guarded by publish_mu_
  std::vector<std::thread> consumers_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> published_{0}, publish_failed_{0}, delivered_{0}, redelivered_{0},
      acked_{0}, nacked_{0}, reconnects_{0};
};

}  // namespace

std::unique_ptr<AmqpQueue> MakeAmqpQueue(const AmqpQueueOptions& options,
                                         boost::asio::any_io_executor executor,
                                         std::string& error) {
  const auto url = ParseAmqpUrl(options.url, error);
  if (!url) return nullptr;
  auto queue = std::make_unique<Queue>(*url, options, std::move(executor));
  if (!queue->Connect(error)) {
    error = options.url + ": " + error;
    return nullptr;
  }
  return queue;
}

bool AmqpReachable(const std::string& url, std::chrono::milliseconds timeout, std::string& error) {
  const auto parsed = ParseAmqpUrl(url, error);
  if (!parsed) return false;
  Connection conn;
  return conn.Open(*parsed, timeout, error);
}

}  // namespace traceproof::mock
