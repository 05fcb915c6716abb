package dev.tributary.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The processing ops (split, peek, processValues, punctuate): branches and the Processor API,
 * with the same behaviour as runner-processing.ts on the TypeScript side.
 */
final class Processing {
  private Processing() {}

  /** split: one branch per predicate, named {@code <id>-<i>}, and {@code <id>-d} for the default. */
  static Map<String, KStream<String, String>> split(JsonNode n, KStream<String, String> s) {
    String id = n.get("id").asText();
    BranchedKStream<String, String> b = s.split(Named.as(id + "-"));
    int i = 0;
    for (JsonNode p : n.get("predicates")) {
      String spec = p.asText();
      b = b.branch((k, v) -> Fns.predicate(spec, k, v), Branched.as(String.valueOf(i++)));
    }
    return n.path("withDefault").asBoolean(false) ? b.defaultBranch(Branched.as("d")) : b.noDefaultBranch();
  }

  static KStream<String, String> peek(KStream<String, String> s) {
    return s.peek((k, v) -> {});
  }

  /** processValues 'twiceIfA': a value with an 'a' twice (the second suffixed "2"), null dropped, others upper-cased. */
  static KStream<String, String> processValues(JsonNode n, KStream<String, String> s) {
    String fn = n.get("fn").asText();
    if (!fn.equals("twiceIfA")) throw new IllegalArgumentException("unknown processValues fn " + fn);
    return s.processValues(
        () ->
            new FixedKeyProcessor<String, String, String>() {
              private FixedKeyProcessorContext<String, String> context;

              @Override
              public void init(FixedKeyProcessorContext<String, String> context) {
                this.context = context;
              }

              @Override
              public void process(FixedKeyRecord<String, String> r) {
                String v = r.value();
                if (v == null) return;
                if (v.contains("a")) {
                  context.forward(r.withValue(v));
                  context.forward(r.withValue(v + "2"));
                } else {
                  context.forward(r.withValue(v.toUpperCase()));
                }
              }
            });
  }

  /**
   * punctuate: keeps the latest value per key (a tombstone forgets the key, a null key is dropped)
   * and, every {@code interval} ms of stream time or wall-clock time, forwards them in key order
   * stamped with the punctuation's time, then forgets them.
   */
  static KStream<String, String> punctuate(JsonNode n, KStream<String, String> s, StreamsBuilder builder) {
    String store = n.get("id").asText() + "-buffer";
    long interval = n.get("interval").asLong();
    PunctuationType type =
        n.get("type").asText().equals("wallClock") ? PunctuationType.WALL_CLOCK_TIME : PunctuationType.STREAM_TIME;
    builder.addStateStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(), Serdes.String())
            .withLoggingDisabled());
    return s.process(
        () ->
            new Processor<String, String, String, String>() {
              private KeyValueStore<String, String> buffer;

              @Override
              public void init(ProcessorContext<String, String> context) {
                buffer = context.getStateStore(store);
                context.schedule(
                    Duration.ofMillis(interval),
                    type,
                    ts -> {
                      List<KeyValue<String, String>> out = new ArrayList<>();
                      try (KeyValueIterator<String, String> all = buffer.all()) {
                        all.forEachRemaining(out::add);
                      }
                      for (KeyValue<String, String> kv : out) {
                        context.forward(new Record<>(kv.key, kv.value, ts));
                        buffer.delete(kv.key);
                      }
                    });
              }

              @Override
              public void process(Record<String, String> r) {
                if (r.key() == null) return;
                if (r.value() == null) buffer.delete(r.key());
                else buffer.put(r.key(), r.value());
              }
            },
        store);
  }
}
