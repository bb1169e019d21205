/**
 * Every third-party version the local stack runs, pinned in this one place. The Kafka pom
 * receives its versions from here as Maven properties, so nothing else names a version.
 */
export const VERSIONS = {
  kafka: '4.4.0',
  log4j: '2.26.1',
  slf4j: '2.0.17',
  apicurio: '3.3.3',
  keycloak: '26.5.6',
  zipkin: '3.6.1',
  // The cluster form's platform (npm run kind:up, docs/runbooks/kind-cluster.md); never run here.
  knative: 'knative-v1.21.0',
  strimzi: '1.2.0',
} as const;

/** Maven coordinates of the archives we download (cached in ~/.m2 by Maven itself). */
export const ARTIFACTS = {
  apicurio: `io.apicurio:apicurio-registry-app:${VERSIONS.apicurio}:tar.gz:all`,
  keycloak: `org.keycloak:keycloak-quarkus-dist:${VERSIONS.keycloak}:tar.gz`,
  zipkin: `io.zipkin:zipkin-server:${VERSIONS.zipkin}:jar:exec`,
} as const;
