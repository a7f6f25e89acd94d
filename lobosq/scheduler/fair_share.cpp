#include "lobosq/scheduler/fair_share.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <tuple>

#include <nlohmann/json.hpp>

namespace lobos {

double FairShare::decayed(const Used& used, JobTime now) const {
    if (used.cpu_seconds == 0) return 0;
    if (half_life_.count() <= 0) return 0;  // no memory: only what runs and waits counts
    const double age = std::chrono::duration<double>(now - used.as_of).count();
    if (age <= 0) return used.cpu_seconds;
    return used.cpu_seconds * std::exp2(-age / static_cast<double>(half_life_.count()));
}

void FairShare::add(Used& used, double cpu_seconds, JobTime at) const {
    const JobTime as_of = std::max(at, used.as_of);
    used.cpu_seconds = decayed(used, as_of) + std::max(0.0, cpu_seconds);
    used.as_of = as_of;
}

void FairShare::charge(gid_t group, uid_t user, double cpu_seconds, JobTime at) {
    add(groups_[group], cpu_seconds, at);
    add(users_[{group, user}], cpu_seconds, at);
}

double FairShare::group_usage(gid_t group, JobTime now) const {
    auto it = groups_.find(group);
    return it == groups_.end() ? 0 : decayed(it->second, now);
}

double FairShare::user_usage(gid_t group, uid_t user, JobTime now) const {
    auto it = users_.find({group, user});
    return it == users_.end() ? 0 : decayed(it->second, now);
}

void FairShare::order(std::vector<const Job*>& waiting, const std::vector<const Job*>& running,
                      JobTime now) const {
    if (waiting.size() < 2) return;
    struct UserQueue {
        double used = 0;
        std::deque<const Job*> jobs;  // by submission
    };
    struct GroupQueue {
        double used = 0;
        std::map<uid_t, UserQueue> users;
        std::size_t waiting = 0;
    };
    std::map<gid_t, GroupQueue> groups;
    auto first_submitted = [](const Job* a, const Job* b) {
        return std::tie(a->spec.submitted, a->spec.id) < std::tie(b->spec.submitted, b->spec.id);
    };
    std::vector<const Job*> by_submission = waiting;
    std::sort(by_submission.begin(), by_submission.end(), first_submitted);
    for (const Job* job : by_submission) {
        GroupQueue& g = groups[job->spec.gid];
        g.users[job->spec.uid].jobs.push_back(job);
        ++g.waiting;
    }
    for (auto& [gid, g] : groups) {
        g.used = group_usage(gid, now);
        for (auto& [uid, u] : g.users) u.used = user_usage(gid, uid, now);
    }
    for (const Job* job : running) {
        if (!job->started || !job->placement) continue;
        auto g = groups.find(job->spec.gid);
        if (g == groups.end()) continue;  // no waiting job in that group: nothing to order
        const double so_far = std::max(0.0, std::chrono::duration<double>(now - *job->started).count()) *
                              static_cast<double>(job->placement->cpus.size());
        g->second.used += so_far;
        if (auto u = g->second.users.find(job->spec.uid); u != g->second.users.end())
            u->second.used += so_far;
    }

    waiting.clear();
    // Ties go to the earlier head job, so equal users take turns by submission.
    auto lighter = [&](double used_a, const Job* head_a, double used_b, const Job* head_b) {
        if (used_a != used_b) return used_a < used_b;
        return first_submitted(head_a, head_b);
    };
    auto head_of = [](GroupQueue& g) {
        const Job* head = nullptr;
        for (auto& [uid, u] : g.users)
            if (!u.jobs.empty() &&
                (!head || std::tie(u.jobs.front()->spec.submitted, u.jobs.front()->spec.id) <
                              std::tie(head->spec.submitted, head->spec.id)))
                head = u.jobs.front();
        return head;
    };
    while (waiting.size() < by_submission.size()) {
        GroupQueue* group = nullptr;
        const Job* group_head = nullptr;
        for (auto& [gid, g] : groups) {
            if (g.waiting == 0) continue;
            const Job* head = head_of(g);
            if (!group || lighter(g.used, head, group->used, group_head)) {
                group = &g;
                group_head = head;
            }
        }
        UserQueue* user = nullptr;
        for (auto& [uid, u] : group->users) {
            if (u.jobs.empty()) continue;
            if (!user || lighter(u.used, u.jobs.front(), user->used, user->jobs.front())) user = &u;
        }
        const Job* job = user->jobs.front();
        user->jobs.pop_front();
        --group->waiting;
        waiting.push_back(job);
        const double reserved = 60.0 * job->spec.directives.etime_minutes * job->spec.directives.nprocs_low;
        group->used += reserved;
        user->used += reserved;
    }
}

WaitingOrder FairShare::order_for(const JobQueue& queue, JobTime now) const {
    return [this, &queue, now](std::vector<const Job*>& waiting) {
        std::vector<const Job*> running;
        for (const Job* job : queue.in_order())
            if (job->state == JobState::running) running.push_back(job);
        order(waiting, running, now);
    };
}

std::string FairShare::encode() const {
    using nlohmann::json;
    auto seconds = [](JobTime t) {
        return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    };
    json groups = json::array(), users = json::array();
    for (const auto& [gid, used] : groups_)
        groups.push_back({{"gid", gid}, {"cpu_seconds", used.cpu_seconds}, {"as_of", seconds(used.as_of)}});
    for (const auto& [key, used] : users_)
        users.push_back({{"gid", key.first},
                         {"uid", key.second},
                         {"cpu_seconds", used.cpu_seconds},
                         {"as_of", seconds(used.as_of)}});
    return json{{"groups", groups}, {"users", users}}.dump(1) + "\n";
}

std::optional<FairShare> FairShare::decode(std::string_view text, std::chrono::seconds half_life,
                                           std::string& error) {
    using nlohmann::json;
    const json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    FairShare share(half_life);
    auto read_used = [&](const json& item, const std::string& where, Used& used) {
        if (!item.is_object() || !item.contains("cpu_seconds") || !item["cpu_seconds"].is_number() ||
            !item.contains("as_of") || !item["as_of"].is_number_integer()) {
            error = where + ": needs numbers cpu_seconds and as_of";
            return false;
        }
        used.cpu_seconds = item["cpu_seconds"].get<double>();
        if (!std::isfinite(used.cpu_seconds) || used.cpu_seconds < 0) {
            error = where + ": cpu_seconds must be a number of seconds, 0 or more";
            return false;
        }
        used.as_of = JobTime(std::chrono::seconds(item["as_of"].get<long long>()));
        return true;
    };
    auto id_field = [&](const json& item, const char* name, const std::string& where, unsigned& out) {
        if (!item.is_object() || !item.contains(name) || !item[name].is_number_unsigned()) {
            error = where + ": needs " + name + ", a number";
            return false;
        }
        out = item[name].get<unsigned>();
        return true;
    };
    for (const char* list : {"groups", "users"})
        if (doc.contains(list) && !doc[list].is_array()) {
            error = std::string(list) + ": must be a list";
            return std::nullopt;
        }
    if (doc.contains("groups"))
        for (std::size_t i = 0; i < doc["groups"].size(); ++i) {
            const std::string where = "groups[" + std::to_string(i) + "]";
            unsigned gid = 0;
            Used used;
            if (!id_field(doc["groups"][i], "gid", where, gid) || !read_used(doc["groups"][i], where, used))
                return std::nullopt;
            share.groups_[static_cast<gid_t>(gid)] = used;
        }
    if (doc.contains("users"))
        for (std::size_t i = 0; i < doc["users"].size(); ++i) {
            const std::string where = "users[" + std::to_string(i) + "]";
            unsigned gid = 0, uid = 0;
            Used used;
            if (!id_field(doc["users"][i], "gid", where, gid) ||
                !id_field(doc["users"][i], "uid", where, uid) || !read_used(doc["users"][i], where, used))
                return std::nullopt;
            share.users_[{static_cast<gid_t>(gid), static_cast<uid_t>(uid)}] = used;
        }
    return share;
}

}  // namespace lobos
