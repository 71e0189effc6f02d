// A TypeDoc plugin of this repository (typedoc.json "plugin"). PriorityQueue
// extends `(Queue as QueueOfItems)<[priority, value]>`, Queue's constructor
// without its static side (src/queue.ts says why), and TypeDoc reads two
// things off that expression that the source does not mean:
// - the base class with the implicit `this` type argument TypeScript adds,
//   "Queue<[priority: number, value: T], this>": the `this` is dropped;
// - the static `attach` as "Inherited from Queue.attach", since the
//   expression's type has no static side to override: a static member the
//   class declares itself, named as one of the base class's, is marked as
//   overriding it (as LifoQueue.attach is).
import { Converter, ReferenceType, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  // Before RESOLVE_END, where TypeDoc links members to the base class's.
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    for (const reflection of project.getReflectionsByKind(ReflectionKind.Class)) {
      for (const base of reflection.extendedTypes ?? []) {
        if (base.type !== 'reference') continue;
        const args = base.typeArguments;
        const last = args?.at(-1);
        if (last?.type === 'intrinsic' && last.name === 'this') args.pop();
        for (const child of reflection.children ?? []) {
          if (!child.flags.isStatic || child.inheritedFrom || child.overwrites) continue;
          if (!base.reflection?.children?.some((m) => m.name === child.name && m.flags.isStatic)) continue;
          // A placeholder: TypeDoc resolves it to the base member at RESOLVE_END.
          child.overwrites = ReferenceType.createBrokenReference(`${base.name}.${child.name}`, project, undefined);
          for (const signature of child.signatures ?? [])
            signature.overwrites = ReferenceType.createBrokenReference(`${base.name}.${child.name}`, project, undefined);
        }
      }
    }
  });
}
