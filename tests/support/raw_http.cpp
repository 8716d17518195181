#include "support/raw_http.hpp"

#include "core/text.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

namespace pbx::testing {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds left_until(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

std::string trimmed(std::string_view s) {
  auto first = s.find_first_not_of(" \t");
  auto last = s.find_last_not_of(" \t\r");
  return first == std::string_view::npos ? "" : std::string(s.substr(first, last - first + 1));
}

timeval to_timeval(std::chrono::milliseconds ms) {
  return {static_cast<time_t>(ms.count() / 1000),
          static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

Failure from_errno(int error) {
  switch (error) {
    case ECONNREFUSED:
      return Failure::refused;
    case ECONNRESET:
      return Failure::reset;
    case EPIPE:  // the server had closed (FIN) before this write: a graceful close
      return Failure::closed;
    case EAGAIN:
      return Failure::timeout;
    default:
      return Failure::other;
  }
}

}  // namespace

bool parse_response_head(std::string_view head, RawResponse& out) {
  auto line_end = head.find("\r\n");
  auto status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return false;
  std::from_chars(status_line.data() + 9, status_line.data() + 12, out.status);
  size_t at = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (at < head.size()) {
    auto end = std::min(head.find("\r\n", at), head.size());
    auto line = head.substr(at, end - at);
    if (auto colon = line.find(':'); colon != std::string_view::npos) {
      out.headers[text::to_lower(line.substr(0, colon))] = trimmed(line.substr(colon + 1));
    }
    at = end + 2;
  }
  return true;
}

const char* failure_name(Failure f) {
  switch (f) {
    case Failure::none:
      return "none";
    case Failure::refused:
      return "refused";
    case Failure::closed:
      return "closed";
    case Failure::reset:
      return "reset";
    case Failure::truncated:
      return "truncated";
    case Failure::timeout:
      return "timeout";
    case Failure::other:
      return "other";
  }
  return "?";
}

RawConnection::RawConnection(int port, RawOptions options) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) {
    error_ = errno;
    return;
  }
  if (options.receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer,
                 sizeof options.receive_buffer);
  }
  if (options.no_delay) {
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  if (options.send_timeout.count() > 0) {
    auto tv = to_timeval(options.send_timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error_ = errno;
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = n < 0 ? errno : 0;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return fd_ >= 0;
}

bool RawConnection::readable(std::chrono::milliseconds limit) {
  pollfd p{fd_, POLLIN, 0};
  int ready = ::poll(&p, 1, static_cast<int>(limit.count()));
  if (ready > 0) return true;
  error_ = ready == 0 ? EAGAIN : errno;
  return false;
}

bool RawConnection::read_some(std::chrono::milliseconds limit) {
  if (fd_ < 0 || eof_) return false;
  error_ = 0;
  if (!readable(limit)) return false;
  char chunk[16384];
  ssize_t n = 0;
  do {
    n = ::recv(fd_, chunk, sizeof chunk, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    error_ = n < 0 ? errno : 0;
    eof_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

Failure RawConnection::failure() const {
  return error_ == 0 ? Failure::closed : from_errno(error_);
}

RawResponse RawConnection::read_response(std::chrono::milliseconds limit,
                                         std::chrono::milliseconds linger) {
  RawResponse r;
  auto deadline = Clock::now() + limit;
  size_t head_end = std::string::npos;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!read_some(left_until(deadline))) {
      r.closed = eof_;
      return r;
    }
  }
  parse_response_head(std::string_view(buffer_.data(), head_end), r);
  size_t length = 0;
  if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), length);
  }
  size_t body_at = head_end + 4;
  while (buffer_.size() < body_at + length && read_some(left_until(deadline))) {
  }
  r.body = buffer_.substr(body_at, length);
  buffer_.erase(0, std::min(buffer_.size(), body_at + length));
  r.closed = eof_ || (buffer_.empty() && wait_closed(std::min(linger, left_until(deadline))));
  return r;
}

Failure RawConnection::read_answer(RawResponse& out, std::chrono::milliseconds wait) {
  size_t head_end = std::string::npos;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    bool started = !buffer_.empty();
    if (!read_some(wait)) {
      auto f = failure();
      return started && f == Failure::closed ? Failure::truncated : f;
    }
  }
  if (!parse_response_head(std::string_view(buffer_.data(), head_end), out)) {
    return Failure::other;
  }
  buffer_.erase(0, head_end + 4);
  auto length_header = out.headers.find("content-length");
  if (length_header == out.headers.end()) return Failure::other;  // the service always sets it
  size_t length = std::stoul(length_header->second);
  while (buffer_.size() < length) {
    if (!read_some(wait)) {
      auto f = failure();
      return f == Failure::closed ? Failure::truncated : f;
    }
  }
  out.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return Failure::none;
}

ssize_t RawConnection::receive(char* out, size_t size, std::chrono::milliseconds limit) {
  if (!buffer_.empty()) {
    size_t n = std::min(size, buffer_.size());
    buffer_.copy(out, n);
    buffer_.erase(0, n);
    return static_cast<ssize_t>(n);
  }
  if (fd_ < 0 || eof_) return 0;
  error_ = 0;
  if (!readable(limit)) return -1;
  ssize_t n = 0;
  do {
    n = ::recv(fd_, out, size, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    error_ = n < 0 ? errno : 0;
    eof_ = true;
  }
  return n;
}

bool RawConnection::wait_closed(std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (!eof_ && read_some(left_until(deadline))) buffer_.clear();
  return eof_;
}

}  // namespace pbx::testing
