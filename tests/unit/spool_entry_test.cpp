#include "lobosq/job/spool_entry.hpp"

#include <doctest/doctest.h>

#include "job_test_values.hpp"

using namespace lobos;
using lobos::test::job_time;

namespace {

Submission sample_submission() {
    Submission s;
    s.dir = "/home/alice/runs/\"quoted\" dir";
    s.script = "#!/bin/sh\n#NPROCS 2-8\necho \"héllo €\"\tdone\n";
    s.environment = {{"HOME", "/home/alice"}, {"EMPTY", ""}, {"LANG", "C.UTF-8"}, {"MULTI", "a\nb=c"}};
    s.submitted = job_time(1'795'400'100, 123'456'789);
    return s;
}

// decode_submission refused `text`, with an error naming `field`; it never throws.
void require_refused(const std::string& text, const std::string& field) {
    INFO(text);
    std::string error;
    std::optional<Submission> s;
    REQUIRE_NOTHROW(s = decode_submission(text, error));
    CHECK_FALSE(s.has_value());
    CHECK_MESSAGE(error.find(field) != std::string::npos, error);
}

}  // namespace

TEST_SUITE("spool entry") {
    TEST_CASE("a submission reads back as written, nanoseconds and all") {
        const Submission s = sample_submission();
        const std::string text = encode_submission(s);
        CHECK(text.back() == '\n');
        std::string error;
        std::optional<Submission> back = decode_submission(text, error);
        REQUIRE_MESSAGE(back, error);
        CHECK(*back == s);
    }

    TEST_CASE("a submission with no environment reads back with none") {
        Submission s;
        s.dir = "/";
        s.script = "true\n";
        s.submitted = job_time(0);
        std::string error;
        std::optional<Submission> back = decode_submission(encode_submission(s), error);
        REQUIRE_MESSAGE(back, error);
        CHECK(*back == s);
        // An absent environment is no environment.
        back = decode_submission(R"({"dir":"/tmp","script":"true","submitted_ns":5})", error);
        REQUIRE_MESSAGE(back, error);
        CHECK(back->environment.empty());
        CHECK(back->submitted ==
              JobTime(std::chrono::duration_cast<JobClock::duration>(std::chrono::nanoseconds(5))));
    }

    TEST_CASE("a cancel request reads back as written") {
        const CancelRequest r{"billings.971008161803"};
        const std::string text = encode_cancel_request(r);
        std::string error;
        std::optional<CancelRequest> back = decode_cancel_request(text, error);
        REQUIRE_MESSAGE(back, error);
        CHECK(*back == r);
    }

    TEST_CASE("a cancel request without a job name is refused, naming the field") {
        std::string error;
        CHECK_FALSE(decode_cancel_request(R"({"job":7})", error).has_value());
        CHECK(error.find("'job'") != std::string::npos);
        error.clear();
        CHECK_FALSE(decode_cancel_request("{}", error).has_value());
        CHECK(error.find("'job'") != std::string::npos);
        error.clear();
        CHECK_FALSE(decode_cancel_request("cancel billings.971008161803", error).has_value());
        CHECK(error == "not a JSON object");
    }

    TEST_CASE("a cancel answer reads back as written, ok or refused") {
        for (const CancelAnswer& a : {CancelAnswer{true, "cancelled billings.971008161803"},
                                      CancelAnswer{false, "billings.971008161803 is not yours"},
                                      CancelAnswer{false, ""}, CancelAnswer{true, "two\nlines"}}) {
            INFO(a.message);
            std::optional<CancelAnswer> back = decode_cancel_answer(encode_cancel_answer(a));
            REQUIRE(back);
            CHECK(*back == a);
        }
        CHECK(encode_cancel_answer({true, "done"}) == "ok\ndone\n");
        CHECK(encode_cancel_answer({false, "no"}) == "refused\nno\n");
    }

    TEST_CASE("a cancel answer that does not begin with ok or refused is not one") {
        CHECK_FALSE(decode_cancel_answer("").has_value());
        CHECK_FALSE(decode_cancel_answer("ok").has_value());  // no line end yet: still being written
        CHECK_FALSE(decode_cancel_answer("yes\nfine\n").has_value());
        CHECK_FALSE(decode_cancel_answer("OK\nfine\n").has_value());
        CHECK(decode_cancel_answer("ok\n") == CancelAnswer{true, ""});
    }

    TEST_CASE("a submission without a directory is refused, naming the field") {
        require_refused(R"({"script":"true","environment":{},"submitted_ns":1})", "'dir'");
        require_refused(R"({"dir":5,"script":"true","environment":{},"submitted_ns":1})", "'dir'");
    }

    TEST_CASE("a submission with a relative or empty directory is refused, naming the field") {
        require_refused(R"({"dir":"home/alice","script":"true","environment":{},"submitted_ns":1})", "'dir'");
        require_refused(R"({"dir":"","script":"true","environment":{},"submitted_ns":1})", "'dir'");
    }

    TEST_CASE("a submission without a script is refused, naming the field") {
        require_refused(R"({"dir":"/tmp","environment":{},"submitted_ns":1})", "'script'");
        require_refused(R"({"dir":"/tmp","script":null,"environment":{},"submitted_ns":1})", "'script'");
    }

    TEST_CASE("an environment value that is not a string is refused, naming the variable") {
        require_refused(
            R"({"dir":"/tmp","script":"true","environment":{"HOME":"/h","N":5},"submitted_ns":1})",
            "'environment.N'");
        require_refused(R"({"dir":"/tmp","script":"true","environment":["HOME=/h"],"submitted_ns":1})",
                        "'environment'");
    }

    TEST_CASE("a submission without an integer submitted_ns is refused, naming the field") {
        require_refused(R"({"dir":"/tmp","script":"true","environment":{}})", "'submitted_ns'");
        require_refused(R"({"dir":"/tmp","script":"true","environment":{},"submitted_ns":"1"})",
                        "'submitted_ns'");
        require_refused(R"({"dir":"/tmp","script":"true","environment":{},"submitted_ns":1.5})",
                        "'submitted_ns'");
    }

    TEST_CASE("text that is not a JSON object is refused, never thrown") {
        for (const char* text :
             {"", "not json", "{\"dir\":", "[1,2]", "\"a string\"", "42", "null", "{\"dir\":\"/\xff\"}"}) {
            require_refused(text, "not a JSON object");
        }
    }

    TEST_CASE("a directory, script and environment with bytes that are not UTF-8 read back byte for byte") {
        Submission s = sample_submission();
        s.dir =
            "/tmp/a\xff"
            "b";
        s.script = "echo \xff\xfe done\n";
        s.environment["BAD"] = "x\xc0y";
        std::string text;
        REQUIRE_NOTHROW(text = encode_submission(s));
        CHECK(text.find("\xff") == std::string::npos);  // the file itself is UTF-8
        std::string error;
        std::optional<Submission> back = decode_submission(text, error);
        REQUIRE_MESSAGE(back, error);
        CHECK(back->dir == s.dir);
        CHECK(back->script == s.script);
        CHECK(back->environment == s.environment);
    }

    TEST_CASE("a directory written as hex that is not hex is refused, naming the field") {
        require_refused(R"({"dir":{"hex":"zz"},"script":"true","environment":{},"submitted_ns":1})", "'dir'");
    }
}
