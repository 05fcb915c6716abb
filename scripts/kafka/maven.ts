import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot } from './paths.js';
import { KAFKA_VERSION, LOG4J_VERSION } from './settings.js';

const run = promisify(execFile);

/** The directory of jars that runs `kafka.Kafka`, resolved once into the cache. */
export function kafkaLibDir(): string {
  return join(cacheRoot(), `kafka-${KAFKA_VERSION}`, 'lib');
}

/**
 * Resolves the Kafka broker and a log4j2 binding with all runtime dependencies from Maven
 * Central into `kafkaLibDir()`, skipping the download when a completed copy exists.
 */
export async function resolveKafkaJars(log: (line: string) => void): Promise<string> {
  const libDir = kafkaLibDir();
  const completeMarker = join(libDir, '.complete');
  if (existsSync(completeMarker)) return libDir;

  const projectDir = join(libDir, '..');
  rmSync(libDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(join(projectDir, 'pom.xml'), pom());
  log(`Resolving org.apache.kafka:kafka_2.13:${KAFKA_VERSION} from Maven Central into ${libDir} ...`);
  const started = Date.now();
  try {
    await run(
      'mvn',
      [
        '-B',
        '-q',
        '--no-transfer-progress',
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        '-DoutputDirectory=lib',
      ],
      { cwd: projectDir, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`Maven could not resolve the Kafka jars (in ${projectDir}):\n${tail}`, { cause: error });
  }
  writeFileSync(completeMarker, new Date().toISOString() + '\n');
  log(`Kafka jars resolved in ${Math.round((Date.now() - started) / 1000)} s.`);
  return libDir;
}

function pom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tributary.local</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>${LOG4J_VERSION}</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
`;
}
