// Checks a CloudFormation template against the CloudFormation Resource Specification that AWS
// publishes (the copy in @aws-cdk/cfnspec): zod schemas are built from the specification for
// each resource type the template uses (property names, required properties, primitive types,
// list item types), and references (Ref, Fn::GetAtt with the type's attributes) must resolve.
// Returns one line per problem; [] is valid.

import cfnspec from "@aws-cdk/cfnspec";
import { z } from "zod";

/** The parts of the specification's JSON read here. */
interface PropSpec {
  readonly PrimitiveType?: string;
  readonly PrimitiveItemType?: string;
  readonly ItemType?: string;
  readonly Type?: string;
  readonly Required?: boolean;
}
interface Spec {
  readonly PropertyTypes: Record<string, { Properties?: Record<string, PropSpec> }>;
  readonly ResourceTypes: Record<
    string,
    { Properties?: Record<string, PropSpec>; Attributes?: Record<string, unknown> }
  >;
}

const spec = cfnspec.specification() as unknown as Spec;
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;
const SECTIONS = [
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
];

/** An intrinsic function: one key, Ref or Fn::*. */
const intrinsic = z
  .record(z.string(), z.unknown())
  .refine((o) => Object.keys(o).length === 1 && /^(Ref|Fn::\w+)$/.test(Object.keys(o)[0] ?? ""));

function primitive(type: string | undefined): z.ZodType {
  if (type === "Integer" || type === "Long") return z.union([z.number().int(), intrinsic]);
  if (type === "Double") return z.union([z.number(), intrinsic]);
  if (type === "Boolean") return z.union([z.boolean(), intrinsic]);
  if (type === "Json") return z.unknown();
  return z.union([z.string(), intrinsic]);
}

function propertySchema(resourceType: string, p: PropSpec): z.ZodType {
  if (p.PrimitiveType !== undefined) return primitive(p.PrimitiveType);
  const item = (): z.ZodType =>
    p.PrimitiveItemType !== undefined
      ? primitive(p.PrimitiveItemType)
      : structSchema(resourceType, p.ItemType as string);
  if (p.Type === "List") return z.array(item());
  if (p.Type === "Map") return z.record(z.string(), item());
  return structSchema(resourceType, p.Type as string);
}

function structSchema(resourceType: string, name: string): z.ZodType {
  const def = spec.PropertyTypes[`${resourceType}.${name}`] ?? spec.PropertyTypes[name];
  if (def === undefined) throw new Error(`specification has no property type ${name}`);
  return objectSchema(resourceType, def.Properties ?? {});
}

function objectSchema(resourceType: string, props: Record<string, PropSpec>): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, p] of Object.entries(props)) {
    const s = z.lazy(() => propertySchema(resourceType, p));
    shape[name] = p.Required ? s : s.optional();
  }
  return z.strictObject(shape);
}

function resourceSchema(type: string): z.ZodType | undefined {
  const def = spec.ResourceTypes[type];
  if (def === undefined) return undefined;
  return z.strictObject({
    Type: z.literal(type),
    Properties: objectSchema(type, def.Properties ?? {}),
    DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
  });
}

interface Template {
  Parameters?: Record<string, unknown>;
  Resources?: Record<string, { Type?: string; Properties?: unknown }>;
  Outputs?: Record<string, unknown>;
  [section: string]: unknown;
}

export function cfnTemplateProblems(template: Template): string[] {
  const out: string[] = [];
  for (const key of Object.keys(template)) {
    if (!SECTIONS.includes(key)) out.push(`unknown section ${key}`);
  }
  const resources = template.Resources ?? {};
  const params = Object.keys(template.Parameters ?? {});
  if (Object.keys(resources).length === 0) out.push("no Resources");
  for (const [id, r] of Object.entries(resources)) {
    if (!LOGICAL_ID.test(id)) out.push(`logical id ${id}`);
    const schema = resourceSchema(r.Type ?? "");
    if (schema === undefined) {
      out.push(`${id}: unknown resource type ${r.Type}`);
      continue;
    }
    const parsed = schema.safeParse(r);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        out.push(`${id}.${issue.path.join(".")}: ${issue.message}`);
      }
    }
  }
  for (const [path, ref] of references(template)) {
    const [target, attr] = ref;
    const type = resources[target]?.Type;
    if (attr === undefined && type === undefined && !params.includes(target)) {
      out.push(`${path}: Ref to unknown ${target}`);
    }
    if (attr !== undefined && spec.ResourceTypes[type ?? ""]?.Attributes?.[attr] === undefined) {
      out.push(`${path}: Fn::GetAtt ${target}.${attr} is not an attribute of ${type}`);
    }
  }
  for (const [id, o] of Object.entries(template.Outputs ?? {})) {
    if (!LOGICAL_ID.test(id)) out.push(`output id ${id}`);
    const ok = z.strictObject({ Value: z.unknown(), Description: z.string().optional() });
    if (!ok.safeParse(o).success) out.push(`output ${id}`);
  }
  return out;
}

/** Every Ref and Fn::GetAtt in the template: [path, [target, attribute?]]. */
function references(node: unknown, path = ""): [string, [string, string?]][] {
  if (Array.isArray(node)) return node.flatMap((n, i) => references(n, `${path}[${i}]`));
  if (node === null || typeof node !== "object") return [];
  const o = node as Record<string, unknown>;
  if (typeof o.Ref === "string") return [[path, [o.Ref]]];
  const att = o["Fn::GetAtt"];
  if (Array.isArray(att)) return [[path, [String(att[0]), String(att[1])]]];
  return Object.entries(o).flatMap(([k, v]) => references(v, `${path}.${k}`));
}
