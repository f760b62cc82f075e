// The Neo4j GraphQL Library (@neo4j/graphql) on Apollo Server, over Skillweave's graph as it
// is stored: what a team would stand up instead of Skillweave to serve profiles from Neo4j.
// benchmarks/stores.py starts it with NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and PORT set, and
// waits for the READY line. No authorisation rules: it does less work per request than
// Skillweave, which checks a token and each field's visibility.
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = `#graphql
  type Person @node {
    id: ID!
    name: String!
    title: String
    role: String
    function: String
    site: String
    shift: String
    skills: [Skill!]! @relationship(type: "HAS_SKILL", direction: OUT, properties: "HasSkill")
    learningGoals: [Skill!]!
      @relationship(type: "WANTS_TO_LEARN", direction: OUT, properties: "WantsToLearn")
    mentorIn: [Mentorship!]! @relationship(type: "MENTOR_IN", direction: OUT)
    menteeIn: [Mentorship!]! @relationship(type: "MENTEE_IN", direction: OUT)
  }
  type HasSkill @relationshipProperties {
    level: Int!
  }
  type WantsToLearn @relationshipProperties {
    priority: Int!
  }
  type Skill @node {
    key: ID!
    name: String!
    category: String
  }
  type Mentorship @node {
    id: ID!
    status: String!
    mentor: [Person!]! @relationship(type: "MENTOR_IN", direction: IN)
    mentee: [Person!]! @relationship(type: "MENTEE_IN", direction: IN)
    focusSkills: [Skill!]! @relationship(type: "FOCUSES_ON", direction: OUT)
  }
`;

const driver = neo4j.driver(
  process.env.NEO4J_URI,
  neo4j.auth.basic(process.env.NEO4J_USER ?? "neo4j", process.env.NEO4J_PASSWORD ?? ""),
);
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PORT ?? 4000) },
  context: async () => ({ sessionConfig: { database: process.env.NEO4J_DATABASE ?? "neo4j" } }),
});
console.log(`READY ${url}`);

const stop = async () => {
  await server.stop();
  await driver.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
