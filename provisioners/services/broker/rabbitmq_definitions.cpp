#include "services/broker/rabbitmq_definitions.hpp"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

namespace labctl::services {

namespace {
std::string sha256(const std::string& input) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<char*>(digest), length);
}
}  // namespace

std::string rabbitmq_password_hash(const std::string& password, const std::string& salt) {
    std::string raw = salt + sha256(salt + password);
    std::string encoded(4 * ((raw.size() + 2) / 3), '\0');
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                  reinterpret_cast<const unsigned char*>(raw.data()),
                                  static_cast<int>(raw.size()));
    encoded.resize(static_cast<std::size_t>(written));
    return encoded;
}

std::string rabbitmq_definitions_json(const std::string& user, const std::string& password) {
    std::string salt = sha256("labctl-rabbitmq-salt:" + password).substr(0, 4);
    nlohmann::json definitions{
        {"users",
         {{{"name", user},
           {"password_hash", rabbitmq_password_hash(password, salt)},
           {"hashing_algorithm", "rabbit_password_hashing_sha256"},
           {"tags", ""}}}},
        {"vhosts", {{{"name", "/"}}}},
        {"permissions",
         {{{"user", user}, {"vhost", "/"}, {"configure", ".*"}, {"write", ".*"}, {"read", ".*"}}}}};
    return definitions.dump(2) + "\n";
}

}  // namespace labctl::services
