#include "process/http_get.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace traceproof {

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
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto wait = [&](short events) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    return poll(&p, 1, static_cast<int>(left.count())) == 1;
  };
  if (connect(fd, found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS) {
    error = "connect " + where + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (!wait(POLLOUT)) {
    error = "connect " + where + ": timed out";
    return std::nullopt;
  }
  int so_error = 0;
  socklen_t len = sizeof so_error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error != 0) {
    error = "connect " + where + ": " + std::strerror(so_error);
    return std::nullopt;
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + host + ":" +
                              std::to_string(port) + "\r\nAccept: */*\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait(POLLOUT)) break;
    } else {
      break;
    }
  }
  if (sent < request.size()) {
    error = "sending the request failed";
    return std::nullopt;
  }
  std::string response;
  char buf[16384];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      response.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!wait(POLLIN)) {
        error = "reading the response from " + where + " timed out";
        return std::nullopt;
      }
    } else {
      error = std::string("recv: ") + std::strerror(errno);
      return std::nullopt;
    }
  }
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

}  // namespace traceproof
