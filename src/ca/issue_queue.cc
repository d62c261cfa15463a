#include "ca/issue_queue.h"

#include <sched.h>

#include <utility>
#include <vector>

namespace claimsca::ca {

IssueQueue::IssueQueue(Issuer& issuer, size_t max_batch)
    : issuer_(issuer),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      sync_thread_([this] { SyncLoop(); }),
      issue_thread_([this] { IssueLoop(); }) {}

IssueQueue::~IssueQueue() { Stop(); }

void IssueQueue::Submit(IssueRequest request, std::string csr, Done done) {
  std::unique_lock lock(mu_);
  if (stop_) {
    lock.unlock();
    done(Unavailable("the issuance queue is stopped"));
    return;
  }
  queue_.push_back({std::move(request), std::move(csr), std::move(done)});
  // Only a sleeping thread needs the wake-up; a running one takes the request with its
  // next batch.
  const bool wake = waiting_;
  waiting_ = false;
  lock.unlock();
  if (wake) cv_.notify_one();
}

void IssueQueue::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (issue_thread_.joinable()) issue_thread_.join();  // issues what is queued
  sync_cv_.notify_one();
  if (sync_thread_.joinable()) sync_thread_.join();  // answers what is stored
}

size_t IssueQueue::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

size_t IssueQueue::issued_requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void IssueQueue::IssueLoop() {
  Issuer::Pipeline pipeline(issuer_);
  std::vector<Done> held;  // the callbacks of the batch the pipeline holds (signed)
  // Hands a stored batch to the syncing thread; mu_ must be held.
  auto hand_over = [this](std::vector<Done> done, std::vector<Result<IssuedCertificate>> results) {
    if (done.empty()) return;
    stored_.push_back({std::move(done), std::move(results)});
    const bool wake = !syncing_;
    syncing_ = true;
    if (wake) sync_cv_.notify_one();
  };
  std::unique_lock lock(mu_);
  for (;;) {
    if (queue_.empty() && pipeline.holding()) {
      // No next batch to store the signed one with: store it now.
      lock.unlock();
      std::vector<Result<IssuedCertificate>> results = pipeline.Finish();
      lock.lock();
      hand_over(std::move(held), std::move(results));
      held.clear();
      continue;
    }
    while (queue_.empty() && !stop_) {
      waiting_ = true;
      cv_.wait(lock);
    }
    waiting_ = false;
    if (queue_.empty()) break;  // stopped, nothing left
    // Woken by the first request of a burst, this thread often runs before the submitting
    // thread has handed over the others that are already there: let it, as long as each
    // yield brings another request (on an idle machine the first yield returns at once).
    for (int i = 0; i < 8 && queue_.size() < max_batch_; ++i) {
      const size_t queued = queue_.size();
      lock.unlock();
      sched_yield();
      lock.lock();
      if (queue_.size() == queued) break;
    }
    // With nothing in flight (no batch signed and waiting, no sync running), leave half
    // of the waiting requests for the next batch: this one's sync then overlaps its
    // signatures.
    size_t n = std::min(queue_.size(), max_batch_);
    if (!syncing_ && !pipeline.holding()) n = std::max<size_t>(1, (n + 1) / 2);
    std::vector<Item> batch;
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();

    std::vector<Issuer::CsrItem> items;
    items.reserve(batch.size());
    for (const Item& item : batch) items.push_back({item.request, item.csr});
    // Stores the previous batch with this one's intents and hands it over to be synced
    // at once (its sync overlaps this batch's signatures), then signs this one.
    pipeline.Add(items, [&](std::vector<Result<IssuedCertificate>> previous) {
      std::lock_guard stored_lock(mu_);
      hand_over(std::move(held), std::move(previous));
      held.clear();
    });
    lock.lock();
    ++batches_;
    requests_ += batch.size();
    held.clear();
    for (Item& item : batch) held.push_back(std::move(item.done));
  }
  issuing_done_ = true;
  sync_cv_.notify_one();
}

void IssueQueue::SyncLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    while (stored_.empty() && !issuing_done_) sync_cv_.wait(lock);
    if (stored_.empty()) return;  // the issuing thread has ended and everything is answered
    std::deque<Stored> batches;
    batches.swap(stored_);
    lock.unlock();
    // One sync makes every batch stored so far durable; a failed one fails them all.
    const Status flushed = issuer_.Flush();
    for (Stored& b : batches) {
      for (size_t i = 0; i < b.done.size(); ++i) {
        Result<IssuedCertificate>& r = b.results[i];
        if (r.ok() && !flushed.ok()) r = flushed.WithContext("storing certificate");
        b.done[i](std::move(r));
      }
    }
    lock.lock();
    if (stored_.empty()) syncing_ = false;
  }
}

}  // namespace claimsca::ca
