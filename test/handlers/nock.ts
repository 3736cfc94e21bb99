import type Nock from 'nock'

/**
 * nock 15 ships only as an ES module, which Jest's CommonJS loader cannot import. Node's own require can
 * (Node ≥ 20.19), reached through `process.getBuiltinModule` because Jest wraps the `module` built-in. nock
 * patches Node's core http module, which the code under test shares with it.
 */
const getBuiltinModule = (process as unknown as { getBuiltinModule: (name: string) => unknown }).getBuiltinModule
const nodeModule = getBuiltinModule('module') as typeof import('module')

// Outside Jest's sandbox nock runs on Node's own Promise, which lacks `withResolvers` before Node 22.
const OuterPromise = (nodeModule.createRequire.constructor as FunctionConstructor)(
    'return Promise'
)() as PromiseConstructor & {
    withResolvers?: unknown
}
if (typeof OuterPromise.withResolvers !== 'function') {
    OuterPromise.withResolvers = function <T>() {
        let resolve!: (value: T) => void
        let reject!: (reason: unknown) => void
        const promise = new OuterPromise<T>((res, rej) => {
            resolve = res
            reject = rej
        })
        return { promise, resolve, reject }
    }
}

const nock = (nodeModule.createRequire(__filename)('nock') as { default: typeof Nock }).default

export default nock
