import { getMetadataStorage, type MetadataStorage } from 'class-validator';

type Lookup = MetadataStorage['getTargetValidationMetadatas'];
type Rules = ReturnType<Lookup>;
type Target = Parameters<Lookup>[0];

let remembered = false;

/**
 * class-validator finds a class's rules, on every object it validates, by testing that class
 * against every class that has rules (for inherited ones): a cost that grows with the whole
 * catalogue and every DTO, paid per event ingested. The answer changes only when rules are added,
 * so it is remembered until then. Callers only read the arrays returned, so they can be shared.
 */
export function rememberRuleLookups(): void {
  if (remembered) return;
  remembered = true;
  const storage = getMetadataStorage();
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  const answers = new Map<Target, Map<string, Rules>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\n${always}\n${strictGroups}\n${groups?.join('\n') ?? ''}`;
    let forTarget = answers.get(target);
    if (!forTarget) answers.set(target, (forTarget = new Map<string, Rules>()));
    let rules = forTarget.get(key);
    if (!rules) forTarget.set(key, (rules = lookup(target, schema, always, strictGroups, groups)));
    return rules;
  };
  storage.addValidationMetadata = (metadata) => {
    answers.clear();
    add(metadata);
  };
}
