#include "http/wire.hpp"

#include <gtest/gtest.h>

namespace pbx::http {
namespace {

TEST(WireHead, StatusLineHeadersAndBodyAsTheyGoOnTheWire) {
  WireHead head(P::Http::Version::Http11, 201);
  head.add("X-Request-Id", "rid-1");
  head.add_connection(true);
  EXPECT_EQ(std::move(head).with_body("{}"),
            "HTTP/1.1 201 Created\r\nX-Request-Id: rid-1\r\nConnection: Keep-Alive\r\n"
            "Content-Length: 2\r\n\r\n{}");
}

TEST(WireHead, Http10AnswersInKind) {
  WireHead head(P::Http::Version::Http10, 404);
  head.add_connection(false);
  EXPECT_EQ(std::move(head).with_body(""),
            "HTTP/1.0 404 Not Found\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n");
}

TEST(WireHead, ALineBreakInAValueStartsNoHeader) {
  WireHead head(P::Http::Version::Http11, 200);
  head.add("X-Request-Id", "a\r\nSet-Cookie: b\nc");
  EXPECT_EQ(std::move(head).chunked(),
            "HTTP/1.1 200 OK\r\nX-Request-Id: a  Set-Cookie: b c\r\n"
            "Transfer-Encoding: chunked\r\n\r\n");
}

TEST(WireHead, EveryAnswerIsUncachedAndAdminAnswersAreNeverSniffedOrFramed) {
  WireHead plain(P::Http::Version::Http11, 200);
  plain.add_security(false);
  EXPECT_EQ(std::move(plain).with_body(""),
            "HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n");
  WireHead admin(P::Http::Version::Http11, 200);
  admin.add_security(true);
  EXPECT_EQ(std::move(admin).with_body(""),
            "HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
            "X-Frame-Options: DENY\r\n"
            "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
            "Referrer-Policy: no-referrer\r\nContent-Length: 0\r\n\r\n");
}

TEST(ChunkFrame, SizeInHexThenThePiece) {
  EXPECT_EQ(chunk_frame("hello"), "5\r\nhello\r\n");
  EXPECT_EQ(chunk_frame(std::string(255, 'x')), "ff\r\n" + std::string(255, 'x') + "\r\n");
  EXPECT_EQ(chunk_frame(""), "0\r\n\r\n");
}

}  // namespace
}  // namespace pbx::http
