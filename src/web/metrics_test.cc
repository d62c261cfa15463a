#include "web/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace claimsca::web {
namespace {

TEST(MetricsTest, CountersRenderWithHelpTypeAndLabels) {
  Metrics m;
  m.GetCounter("x_total", "Things.", {{"route", "/a\"b"}}).Inc(3);
  m.GetCounter("x_total", "ignored", {{"route", "/c"}}).Inc();
  m.GetGauge("g", "A gauge.").Set(-2);
  const std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("# HELP x_total Things.\n# TYPE x_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("x_total{route=\"/a\\\"b\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_total{route=\"/c\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE g gauge\ng -2\n"), std::string::npos);
  EXPECT_EQ(&m.GetCounter("x_total", "", {{"route", "/c"}}),
            &m.GetCounter("x_total", "", {{"route", "/c"}}));
}

TEST(MetricsTest, HistogramIsCumulative) {
  Metrics m;
  Histogram& h = m.GetHistogram("lat_seconds", "Latency.", {{"r", "x"}}, {0.001, 0.01});
  h.Observe(0.0005);
  h.Observe(0.005);
  h.Observe(std::chrono::milliseconds(20));
  const std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("lat_seconds_bucket{r=\"x\",le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{r=\"x\",le=\"0.01\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{r=\"x\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count{r=\"x\"} 3\n"), std::string::npos);
  EXPECT_NEAR(h.Sum(), 0.0255, 1e-9);
}

TEST(MetricsTest, TypeClashGivesDetachedSeries) {
  Metrics m;
  m.GetCounter("a", "A.").Inc();
  m.GetGauge("a", "A.").Set(7);  // not rendered
  EXPECT_EQ(m.RenderPrometheus().find(" 7\n"), std::string::npos);
}

TEST(MetricsTest, ConcurrentIncrements) {
  Metrics m;
  Counter& c = m.GetCounter("c_total", "C.");
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) {
    ts.emplace_back([&] {
      for (int j = 0; j < 10000; ++j) c.Inc();
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(c.Value(), 40000u);
}

}  // namespace
}  // namespace claimsca::web
