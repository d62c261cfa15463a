#pragma once

// A bounded, sharded LRU map from exact request bytes to an immutable cached value.
// Thread-safe: each shard has its own mutex, held only for the map operation (values are
// shared_ptr, copied out), so concurrent threads rarely contend.

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace claimsca::ocsp {

template <typename V>
class ShardedLruCache {
 public:
  // `capacity` entries in total (0 disables caching), spread over `shards` shards.
  explicit ShardedLruCache(size_t capacity, size_t shards = 64)
      : per_shard_(capacity == 0 ? 0 : (capacity + shards - 1) / shards), shards_(shards) {}

  std::shared_ptr<const V> Get(std::string_view key) {
    Shard& s = ShardFor(key);
    std::lock_guard lock(s.mu);
    auto it = s.index.find(key);
    if (it == s.index.end()) return nullptr;
    s.lru.splice(s.lru.begin(), s.lru, it->second);
    return it->second->second;
  }

  void Put(std::string_view key, std::shared_ptr<const V> value) {
    if (per_shard_ == 0) return;
    Shard& s = ShardFor(key);
    std::lock_guard lock(s.mu);
    auto it = s.index.find(key);
    if (it != s.index.end()) {
      it->second->second = std::move(value);
      s.lru.splice(s.lru.begin(), s.lru, it->second);
      return;
    }
    if (s.index.size() >= per_shard_) {
      s.index.erase(std::string_view(s.lru.back().first));
      s.lru.pop_back();
    }
    s.lru.emplace_front(std::string(key), std::move(value));
    s.index.emplace(std::string_view(s.lru.front().first), s.lru.begin());
  }

  size_t size() const {
    size_t n = 0;
    for (const Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      n += s.index.size();
    }
    return n;
  }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const V>>;
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // front = most recently used; owns the key strings
    std::unordered_map<std::string_view, typename std::list<Entry>::iterator> index;
  };

  Shard& ShardFor(std::string_view key) {
    // The map re-hashes with std::hash; mix differently here so shard and bucket differ.
    size_t h = std::hash<std::string_view>{}(key);
    return shards_[(h * 0x9e3779b97f4a7c15ull >> 40) % shards_.size()];
  }

  const size_t per_shard_;
  std::vector<Shard> shards_;
};

}  // namespace claimsca::ocsp
