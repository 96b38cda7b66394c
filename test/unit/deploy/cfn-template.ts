import { readFileSync } from 'node:fs';
import { type CollectionTag, parse, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

/**
 * Reads a CloudFormation/SAM YAML template into plain JSON-shaped data, turning the short intrinsic tags
 * (`!Ref`, `!Sub`, `!If`, ...) into their long forms (`{Ref: ...}`, `{'Fn::Sub': ...}`), and evaluates
 * the intrinsics the deploy tests need for one set of parameter values.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'And',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Transform',
] as const;

function longForm(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

/** `!GetAtt A.B` is the short form of `Fn::GetAtt: [A, B]`; every other scalar form keeps its string. */
function scalarArgument(name: string, value: string): Json {
  if (name !== 'GetAtt') return value;
  const dot = value.indexOf('.');
  return dot < 0 ? value : [value.slice(0, dot), value.slice(dot + 1)];
}

function cfnTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const name of ['Ref', 'Condition', ...FUNCTIONS]) {
    const tag = `!${name}`;
    const key = longForm(name);
    tags.push({ tag, resolve: (value: string) => ({ [key]: scalarArgument(name, value) }) });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag,
        collection,
        resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: node.toJSON() as Json }),
      });
    }
  }
  return tags;
}

export function parseCfnYaml(text: string): JsonObject {
  const parsed: unknown = parse(text, { customTags: cfnTags(), uniqueKeys: true });
  if (!isObject(parsed)) throw new Error('a CloudFormation template must be a YAML mapping');
  return parsed;
}

export function readCfnTemplate(path: string): JsonObject {
  return parseCfnYaml(readFileSync(path, 'utf8'));
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: Json | undefined, ...keys: string[]): JsonObject {
  let current: Json | undefined = value;
  for (const key of keys) {
    if (!isObject(current)) throw new Error(`expected a mapping before "${key}" in ${keys.join('.')}`);
    current = current[key];
  }
  if (!isObject(current)) throw new Error(`expected a mapping at ${keys.join('.')}`);
  return current;
}

/** The single intrinsic function of a `{Fn::X: args}` value, if it is one. */
function intrinsic(value: Json): [string, Json] | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const only = keys[0];
  if (keys.length !== 1 || only === undefined) return undefined;
  if (only === 'Ref' || only === 'Condition' || only.startsWith('Fn::')) return [only, value[only] as Json];
  return undefined;
}

/**
 * Every value `value` may take whatever the conditions, with the conditions of the `Fn::If` branches that
 * lead to it (negated ones as `!Name`). `Ref: AWS::NoValue` yields nothing: the property is left out.
 */
export function branches(value: Json, taken: string[] = []): { value: Json; conditions: string[] }[] {
  const fn = intrinsic(value);
  if (fn?.[0] === 'Ref' && fn[1] === 'AWS::NoValue') return [];
  if (fn?.[0] === 'Fn::If' && Array.isArray(fn[1])) {
    const [condition, whenTrue, whenFalse] = fn[1];
    return [
      ...branches(whenTrue as Json, [...taken, String(condition)]),
      ...branches(whenFalse as Json, [...taken, `!${String(condition)}`]),
    ];
  }
  return [{ value, conditions: taken }];
}

/** A list property where each item may itself be conditional: every item any condition can produce. */
export function listItems(value: Json | undefined): { value: Json; conditions: string[] }[] {
  if (value === undefined) return [];
  return branches(value).flatMap(({ value: list, conditions }) =>
    (Array.isArray(list) ? list : [list]).flatMap((item) => branches(item, conditions)),
  );
}

export interface Statement {
  /** Resource logical id and the property path of the policy document. */
  where: string;
  conditions: string[];
  statement: JsonObject;
}

const POLICY_KEYS = new Set(['PolicyDocument', 'KeyPolicy', 'AssumeRolePolicyDocument']);

/** Every policy statement in the template's resources: identity policies and resource policies alike. */
export function policyStatements(template: JsonObject): Statement[] {
  const found: Statement[] = [];
  const visit = (node: Json, where: string, conditions: string[]): void => {
    for (const { value, conditions: taken } of branches(node, conditions)) {
      if (Array.isArray(value)) {
        value.forEach((item, index) => {
          visit(item, `${where}[${index}]`, taken);
        });
      } else if (isObject(value)) {
        for (const [key, child] of Object.entries(value)) {
          if (POLICY_KEYS.has(key)) {
            for (const document of branches(child, taken)) {
              if (!isObject(document.value)) throw new Error(`${where}.${key} is not a mapping`);
              for (const statement of listItems(document.value.Statement)) {
                if (!isObject(statement.value)) {
                  throw new Error(`${where}.${key}: a statement is not a mapping`);
                }
                found.push({
                  where: `${where}.${key}`,
                  conditions: [...document.conditions, ...statement.conditions],
                  statement: statement.value,
                });
              }
            }
          } else {
            visit(child, `${where}.${key}`, taken);
          }
        }
      }
    }
  };
  for (const [id, resource] of Object.entries(objectAt(template, 'Resources'))) {
    const own = isObject(resource) && typeof resource.Condition === 'string' ? [resource.Condition] : [];
    visit(resource, id, own);
  }
  return found;
}

/** The action names of a statement, across conditional branches. */
export function actionsOf(statement: JsonObject, key: 'Action' | 'NotAction' = 'Action'): string[] {
  return listItems(statement[key]).map(({ value }) => {
    if (typeof value !== 'string')
      throw new Error(`an IAM action must be a plain string, got ${JSON.stringify(value)}`);
    return value;
  });
}

// ---- evaluation for one set of parameter values ----

export type ParameterValues = Record<string, string>;

const PSEUDO_PARAMETERS: ParameterValues = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '111122223333',
  'AWS::StackName': 'ses-kafka',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Resolves intrinsics against the template's parameter defaults overridden by `values`. A resource
 * reference (`Ref` to a resource, `Fn::GetAtt`) becomes the placeholder `<Id>` / `<Id.Attribute>`.
 * Properties left out by `AWS::NoValue` disappear from mappings and lists.
 */
export class TemplateEvaluator {
  private readonly parameters: ParameterValues;
  private readonly listParameters = new Set<string>();
  private readonly conditions: JsonObject;
  private readonly conditionCache = new Map<string, boolean>();

  constructor(
    private readonly template: JsonObject,
    values: ParameterValues = {},
  ) {
    const declared = objectAt(template, 'Parameters');
    for (const name of Object.keys(values)) {
      if (!(name in declared)) throw new Error(`the template has no parameter "${name}"`);
    }
    this.parameters = { ...PSEUDO_PARAMETERS };
    for (const [name, declaration] of Object.entries(declared)) {
      const fallback = isObject(declaration) ? declaration.Default : undefined;
      const value = values[name] ?? (fallback === undefined ? undefined : String(fallback));
      if (value !== undefined) this.parameters[name] = value;
      const type = isObject(declaration) ? String(declaration.Type) : '';
      if (type === 'CommaDelimitedList' || type.startsWith('List<')) this.listParameters.add(name);
    }
    this.conditions = isObject(template.Conditions) ? template.Conditions : {};
  }

  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const definition = this.conditions[name];
    if (definition === undefined) throw new Error(`unknown condition "${name}"`);
    const result = this.truth(definition);
    this.conditionCache.set(name, result);
    return result;
  }

  /** The resource's properties as deployed with these values, or undefined when its Condition is false. */
  resource(id: string): JsonObject | undefined {
    const resource = objectAt(this.template, 'Resources', id);
    if (typeof resource.Condition === 'string' && !this.condition(resource.Condition)) return undefined;
    const evaluated = this.evaluate(resource);
    return isObject(evaluated) ? evaluated : undefined;
  }

  evaluate(value: Json): Json {
    const fn = intrinsic(value);
    if (fn !== undefined) return this.call(fn[0], fn[1]);
    if (Array.isArray(value)) {
      return value.map((item) => this.evaluate(item)).filter((item) => item !== NO_VALUE) as Json;
    }
    if (isObject(value)) {
      const out: JsonObject = {};
      for (const [key, child] of Object.entries(value)) {
        const evaluated = this.evaluate(child);
        if (evaluated !== NO_VALUE) out[key] = evaluated;
      }
      return out;
    }
    return value;
  }

  private truth(value: Json): boolean {
    const result = this.evaluate(value);
    if (typeof result !== 'boolean') throw new Error(`expected a condition, got ${JSON.stringify(value)}`);
    return result;
  }

  private text(value: Json): string {
    const result = this.evaluate(value);
    if (typeof result !== 'string') throw new Error(`expected a string, got ${JSON.stringify(result)}`);
    return result;
  }

  private call(name: string, args: Json): Json {
    const list = Array.isArray(args) ? args : [args];
    switch (name) {
      case 'Ref': {
        const target = String(args);
        if (target === 'AWS::NoValue') return NO_VALUE;
        const parameter = this.parameters[target];
        if (parameter !== undefined)
          return this.listParameters.has(target) ? parameter.split(',') : parameter;
        if (target in objectAt(this.template, 'Resources')) return `<${target}>`;
        throw new Error(`Ref to "${target}", which is neither a parameter with a value nor a resource`);
      }
      case 'Condition':
        return this.condition(String(args));
      case 'Fn::GetAtt':
        return `<${Array.isArray(args) ? args.join('.') : String(args)}>`;
      case 'Fn::If':
        return this.evaluate(this.condition(String(list[0])) ? (list[1] as Json) : (list[2] as Json));
      case 'Fn::Equals':
        return (
          JSON.stringify(this.evaluate(list[0] as Json)) === JSON.stringify(this.evaluate(list[1] as Json))
        );
      case 'Fn::Not':
        return !this.truth(list[0] as Json);
      case 'Fn::And':
        return list.every((item) => this.truth(item));
      case 'Fn::Or':
        return list.some((item) => this.truth(item));
      case 'Fn::Split':
        return this.text(list[1] as Json).split(this.text(list[0] as Json));
      case 'Fn::Join': {
        const items = this.evaluate(list[1] as Json);
        if (!Array.isArray(items)) throw new Error('Fn::Join needs a list');
        return items.map(String).join(this.text(list[0] as Json));
      }
      case 'Fn::Select': {
        const items = this.evaluate(list[1] as Json);
        const index = Number(this.evaluate(list[0] as Json));
        if (!Array.isArray(items) || items[index] === undefined) {
          throw new Error(`Fn::Select index ${index} is out of range of ${JSON.stringify(items)}`);
        }
        return items[index] as Json;
      }
      case 'Fn::Sub': {
        const [pattern, variables] = Array.isArray(args) ? args : [args, {}];
        const locals = isObject(variables) ? variables : {};
        return String(pattern).replace(/\$\{([^}!]+)\}/g, (_, variable: string) => {
          if (variable in locals) return this.text(locals[variable] as Json);
          if (variable.includes('.')) return `<${variable}>`;
          return this.text({ Ref: variable });
        });
      }
      default:
        throw new Error(`${name} is not supported by this evaluator`);
    }
  }
}

/** Marks a value removed by `Ref: AWS::NoValue`. */
const NO_VALUE = '\u0000NoValue' as const;
