package dev.tributary.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KGroupedTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.SessionWindowedKStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;

/** Builds one case's topology from its op-language nodes (docs/testing.md lists the ops). */
final class Build {
  private final StreamsBuilder builder = new StreamsBuilder();
  private final Map<String, Object> nodes = new HashMap<>();

  static Topology topology(JsonNode caseNode) {
    Build b = new Build();
    for (JsonNode node : caseNode.get("nodes")) b.add(node);
    return b.builder.build();
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static long num(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? 0 : v.asLong();
  }

  @SuppressWarnings("unchecked")
  private KStream<String, String> stream(String id) {
    Object o = nodes.get(id);
    if (o instanceof KStream<?, ?> s) return (KStream<String, String>) s;
    throw new IllegalArgumentException(id + " is not a stream");
  }

  @SuppressWarnings("unchecked")
  private KTable<String, String> table(String id) {
    Object o = nodes.get(id);
    if (o instanceof KTable<?, ?> t) return (KTable<String, String>) t;
    throw new IllegalArgumentException(id + " is not a table");
  }

  private void add(JsonNode n) {
    String op = text(n, "op");
    String id = text(n, "id");
    String from = text(n, "from");
    String fn = text(n, "fn");
    Object source = from == null ? null : nodes.get(from);
    if (from != null && source == null) throw new IllegalArgumentException("unknown node " + from);
    Object result =
        switch (op) {
          case "stream" -> builder.<String, String>stream(text(n, "topic"));
          case "table" -> builder.<String, String>table(text(n, "topic"));
          case "globalTable" -> builder.<String, String>globalTable(text(n, "topic"));
          case "filter", "filterNot" -> {
            boolean keep = op.equals("filter");
            if (source instanceof KTable<?, ?>) {
              yield table(from).filter((k, v) -> Fns.predicate(fn, k, v) == keep);
            }
            yield stream(from).filter((k, v) -> Fns.predicate(fn, k, v) == keep);
          }
          case "mapValues" -> {
            if (source instanceof KTable<?, ?>) {
              yield table(from).mapValues((k, v) -> Fns.valueMapper(fn, k, v));
            }
            yield stream(from).mapValues((k, v) -> Fns.valueMapper(fn, k, v));
          }
          case "map" -> stream(from).map((k, v) -> Fns.keyValueMapper(fn, k, v));
          case "selectKey" -> stream(from).selectKey((k, v) -> Fns.keySelector(fn, k, v));
          case "flatMapValues" -> stream(from).flatMapValues(v -> Fns.valuesOf(fn, v));
          case "flatMap" -> stream(from).flatMap((k, v) -> Fns.pairsOf(fn, k, v));
          case "merge" -> stream(from).merge(stream(text(n, "other")));
          case "repartition" -> stream(from).repartition();
          case "toTable" -> stream(from).toTable();
          case "toStream" -> toStream(n, from);
          case "suppress" -> suppress(n, from);
          case "count", "reduce", "aggregate" -> aggregate(n, op, from);
          case "join", "leftJoin", "outerJoin" -> join(n, op, from);
          case "split" -> {
            for (Map.Entry<String, KStream<String, String>> e : Processing.split(n, stream(from)).entrySet())
              nodes.put(id + "." + e.getKey().substring(id.length() + 1), e.getValue());
            yield null;
          }
          case "peek" -> Processing.peek(stream(from));
          case "processValues" -> Processing.processValues(n, stream(from));
          case "punctuate" -> Processing.punctuate(n, stream(from), builder);
          case "to" -> {
            stream(from).to(text(n, "topic"));
            yield null;
          }
          default -> throw new IllegalArgumentException("unknown op " + op);
        };
    if (id != null && result != null) nodes.put(id, result);
  }

  /**
   * A windowed table's stream gets string keys ("key@start/end") and string values: windowed
   * counts stay Long up to here, since a mapValues would lose the windowed key serde a
   * downstream suppress needs.
   */
  @SuppressWarnings("unchecked")
  private Object toStream(JsonNode n, String from) {
    if (!n.path("windowed").asBoolean(false)) return table(from).toStream();
    KTable<Windowed<String>, Object> windowed = (KTable<Windowed<String>, Object>) nodes.get(from);
    return windowed
        .toStream()
        .map(
            (wk, v) ->
                KeyValue.pair(
                    wk.key() + "@" + wk.window().start() + "/" + wk.window().end(),
                    v == null ? null : String.valueOf(v)));
  }

  @SuppressWarnings("unchecked")
  private Object suppress(JsonNode n, String from) {
    if (text(n, "until").equals("windowCloses")) {
      KTable<Windowed<String>, String> w = (KTable<Windowed<String>, String>) nodes.get(from);
      return w.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()));
    }
    KTable<Object, String> t = (KTable<Object, String>) nodes.get(from);
    return t.suppress(
        Suppressed.untilTimeLimit(
            Duration.ofMillis(num(n, "ms")), Suppressed.BufferConfig.unbounded()));
  }

  private Object aggregate(JsonNode n, String op, String from) {
    String group = text(n, "group");
    if (nodes.get(from) instanceof KTable<?, ?>) {
      KGroupedTable<String, String> grouped =
          table(from).groupBy((k, v) -> Fns.keyValueMapper(group, k, v));
      return switch (op) {
        case "count" -> grouped.count().mapValues(v -> String.valueOf(v));
        case "reduce" -> grouped.reduce(Fns::add, Fns::subtract);
        default ->
            grouped.aggregate(
                () -> "", (k, v, a) -> Fns.add(a, v), (k, v, a) -> Fns.subtract(a, v));
      };
    }
    KStream<String, String> s = stream(from);
    // Explicit serdes: with only the config's defaults, a windowed result's key serde is unknown
    // and a downstream suppress fails to serialize its windowed keys.
    Grouped<String, String> serdes = Grouped.with(Serdes.String(), Serdes.String());
    KGroupedStream<String, String> grouped =
        group == null
            ? s.groupByKey(serdes)
            : s.groupBy((k, v) -> Fns.keySelector(group, k, v), serdes);
    JsonNode w = n.get("window");
    if (w == null || w.isNull()) {
      return switch (op) {
        case "count" -> grouped.count().mapValues(v -> String.valueOf(v));
        case "reduce" -> grouped.reduce(Fns::add);
        default -> grouped.aggregate(() -> "", (k, v, a) -> Fns.add(a, v));
      };
    }
    boolean onClose = "close".equals(text(n, "emit"));
    Duration grace = Duration.ofMillis(num(w, "grace"));
    String kind = text(w, "kind");
    if (kind.equals("session")) {
      SessionWindowedKStream<String, String> sw =
          grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(num(w, "gap")), grace));
      if (onClose) sw = sw.emitStrategy(EmitStrategy.onWindowClose());
      return switch (op) {
        case "count" -> sw.count();
        case "reduce" -> sw.reduce(Fns::add);
        default ->
            sw.aggregate(
                () -> "",
                (k, v, a) -> Fns.add(a, v),
                (k, a, b) -> Fns.merge(a, b));
      };
    }
    TimeWindowedKStream<String, String> tw =
        switch (kind) {
          case "sliding" ->
              grouped.windowedBy(
                  SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(num(w, "size")), grace));
          case "hopping" ->
              grouped.windowedBy(
                  TimeWindows.ofSizeAndGrace(Duration.ofMillis(num(w, "size")), grace)
                      .advanceBy(Duration.ofMillis(num(w, "advance"))));
          default ->
              grouped.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(num(w, "size")), grace));
        };
    if (onClose) tw = tw.emitStrategy(EmitStrategy.onWindowClose());
    return switch (op) {
      case "count" -> tw.count();
      case "reduce" -> tw.reduce(Fns::add);
      default -> tw.aggregate(() -> "", (k, v, a) -> Fns.add(a, v));
    };
  }

  @SuppressWarnings("unchecked")
  private Object join(JsonNode n, String op, String from) {
    String otherId = text(n, "other");
    Object other = nodes.get(otherId);
    String fk = text(n, "fk");
    Object self = nodes.get(from);
    if (self instanceof KStream<?, ?>) {
      KStream<String, String> s = stream(from);
      if (other instanceof GlobalKTable<?, ?> g) {
        GlobalKTable<String, String> global = (GlobalKTable<String, String>) g;
        return op.equals("join")
            ? s.join(global, (k, v) -> Fns.keySelector(fk, k, v), Fns::join)
            : s.leftJoin(global, (k, v) -> Fns.keySelector(fk, k, v), Fns::join);
      }
      if (other instanceof KTable<?, ?>) {
        KTable<String, String> t = table(otherId);
        return op.equals("join") ? s.join(t, Fns::join) : s.leftJoin(t, Fns::join);
      }
      JsonNode w = n.get("window");
      JoinWindows windows =
          JoinWindows.ofTimeDifferenceAndGrace(
                  Duration.ofMillis(num(w, "before")), Duration.ofMillis(num(w, "grace")))
              .after(Duration.ofMillis(num(w, "after")));
      KStream<String, String> o = stream(otherId);
      return switch (op) {
        case "join" -> s.join(o, Fns::join, windows);
        case "leftJoin" -> s.leftJoin(o, Fns::join, windows);
        default -> s.outerJoin(o, Fns::join, windows);
      };
    }
    KTable<String, String> t = table(from);
    KTable<String, String> o = table(otherId);
    if (fk != null) {
      return op.equals("join")
          ? t.join(o, v -> Fns.keySelector(fk, null, v), Fns::join)
          : t.leftJoin(o, v -> Fns.keySelector(fk, null, v), Fns::join);
    }
    return switch (op) {
      case "join" -> t.join(o, Fns::join);
      case "leftJoin" -> t.leftJoin(o, Fns::join);
      default -> t.outerJoin(o, Fns::join);
    };
  }
}
