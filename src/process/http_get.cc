#include "process/http_get.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace traceproof {
namespace {

using Clock = std::chrono::steady_clock;

// A non-blocking socket with one deadline for every step of the exchange.
class DeadlineSocket {
 public:
  DeadlineSocket(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}
  ~DeadlineSocket() {
    if (fd_ >= 0) close(fd_);
  }
  DeadlineSocket(const DeadlineSocket&) = delete;
  DeadlineSocket& operator=(const DeadlineSocket&) = delete;

  int fd() const { return fd_; }
  // Waits for `events` until the deadline; false when the time ran out.
  bool Wait(short events) const {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, events, 0};
    return poll(&p, 1, static_cast<int>(left.count())) == 1;
  }

 private:
  int fd_;
  Clock::time_point deadline_;
};

bool Connect(const DeadlineSocket& socket, const addrinfo& address, const std::string& where,
             std::string& error) {
  if (connect(socket.fd(), address.ai_addr, address.ai_addrlen) != 0 && errno != EINPROGRESS) {
    error = "connect " + where + ": " + std::strerror(errno);
    return false;
  }
  if (!socket.Wait(POLLOUT)) {
    error = "connect " + where + ": timed out";
    return false;
  }
  int so_error = 0;
  socklen_t len = sizeof so_error;
  getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error != 0) {
    error = "connect " + where + ": " + std::strerror(so_error);
    return false;
  }
  return true;
}

bool SendAll(const DeadlineSocket& socket, const std::string& request) {
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(socket.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!socket.Wait(POLLOUT)) return false;
    } else {
      return false;
    }
  }
  return true;
}

// Everything until the server closes (HTTP/1.0), or nullopt with `error` set.
std::optional<std::string> ReadAll(const DeadlineSocket& socket, const std::string& where,
                                   std::string& error) {
  std::string response;
  char buf[16384];
  for (;;) {
    const ssize_t n = recv(socket.fd(), buf, sizeof buf, 0);
    if (n > 0) {
      response.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      return response;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!socket.Wait(POLLIN)) {
        error = "reading the response from " + where + " timed out";
        return std::nullopt;
      }
    } else {
      error = std::string("recv: ") + std::strerror(errno);
      return std::nullopt;
    }
  }
}

// The body of a 200 answer; nullopt with `error` naming the status otherwise.
std::optional<std::string> Body(const std::string& response, const std::string& where,
                                const std::string& path, std::string& error) {
  const std::size_t header_end = response.find("\r\n\r\n");
  if (header_end == std::string::npos || !response.starts_with("HTTP/1.")) {
    error = where + " did not answer HTTP";
    return std::nullopt;
  }
  const std::size_t space = response.find(' ');
  if (response.compare(space + 1, 3, "200") != 0) {
    error = "GET http://" + where + path + ": HTTP " +
            response.substr(space + 1, response.find("\r\n") - space - 1);
    return std::nullopt;
  }
  return response.substr(header_end + 4);
}

}  // namespace

std::optional<std::string> HttpGet(const std::string& host, int port, const std::string& path,
                                   std::chrono::milliseconds timeout, std::string& error) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    error = "resolve " + host + ": " + gai_strerror(rc);
    return std::nullopt;
  }
  struct Freer {
    addrinfo* a;
    ~Freer() { freeaddrinfo(a); }
  } freer{found};
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return std::nullopt;
  }
  const DeadlineSocket socket(fd, Clock::now() + timeout);
  if (!Connect(socket, *found, where, error)) return std::nullopt;
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + host + ":" +
                              std::to_string(port) + "\r\nAccept: */*\r\n\r\n";
  if (!SendAll(socket, request)) {
    error = "sending the request failed";
    return std::nullopt;
  }
  const auto response = ReadAll(socket, where, error);
  if (!response) return std::nullopt;
  return Body(*response, where, path, error);
}

}  // namespace traceproof
