#include "core/crypto.hpp"

#include <gtest/gtest.h>

namespace pbx::crypto {
namespace {

TEST(Crypto, Sha256KnownVector) {
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HexRoundTripAndRejectsBadInput) {
  EXPECT_EQ(from_hex(to_hex(std::string("\x00\xff\x10", 3))), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
}

TEST(Crypto, Base64UrlRoundTripsEveryLength) {
  for (size_t n = 0; n < 40; ++n) {
    std::string raw = random_bytes(n);
    auto encoded = base64url(raw);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(from_base64url(encoded), raw) << n;
  }
  EXPECT_FALSE(from_base64url("a"));
  EXPECT_FALSE(from_base64url("ab$d"));
  EXPECT_FALSE(from_base64url("AB"));  // non-zero leftover bits: not canonical
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("same", "same"));
  EXPECT_FALSE(constant_time_equal("same", "sane"));
  EXPECT_FALSE(constant_time_equal("same", "same!"));
}

TEST(Crypto, RandomTokensAreDistinctAndPrefixed) {
  auto a = random_token("rk_");
  auto b = random_token("rk_");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("rk_", 0), 0u);
  EXPECT_EQ(a.size(), 3u + 43u);
}

TEST(Crypto, UuidV4Shape) {
  auto id = uuid_v4();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
}

TEST(Crypto, PasswordHashIsArgon2idAndVerifies) {
  auto encoded = hash_password("correct horse");
  EXPECT_EQ(encoded.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password("correct horse", encoded));
  EXPECT_FALSE(verify_password("wrong horse", encoded));
  EXPECT_NE(encoded, hash_password("correct horse"));  // salted
  EXPECT_FALSE(verify_password("x", "not-a-hash"));
}

}  // namespace
}  // namespace pbx::crypto
