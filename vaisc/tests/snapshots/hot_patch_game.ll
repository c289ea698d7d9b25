; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%State = type { i64 }

@__vais_hot_table = external global [2 x i8*]
@vais.hot.name = private constant [7 x i8] c"update\00"
@vais.hot.name.1 = private constant [16 x i8] c"(*State) -> i64\00"
@vais.hot.name.2 = private constant [6 x i8] c"twice\00"
@vais.hot.name.3 = private constant [16 x i8] c"(*State) -> i64\00"
@vais.hot.name.4 = private constant [6 x i8] c"State\00"
@vais.hot.name.5 = private constant [25 x i8] c"{ frame: i64 @0 } size 8\00"
@vais.hot.name.6 = private constant [6 x i8] c"frame\00"
@vais.hot.name.7 = private constant [4 x i8] c"i64\00"
@vais.hot.fields = private constant [1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }] [{ i8*, i8*, i32, i32, i64, i64, i64, i8* } { i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.6, i32 0, i32 0), i8* getelementptr inbounds ([4 x i8], [4 x i8]* @vais.hot.name.7, i32 0, i32 0), i32 16401, i32 2, i64 0, i64 8, i64 1, i8* null }]
@vais.hot.name.8 = private constant [7 x i8] c"main.s\00"
@vais.hot.name.9 = private constant [6 x i8] c"State\00"
@vais.hot.name.10 = private constant [7 x i8] c"main.s\00"
@vais.hot.name.11 = private constant [6 x i8] c"State\00"
@vais.hot.fields.12 = private constant [1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }] [{ i8*, i8*, i32, i32, i64, i64, i64, i8* } { i8* getelementptr inbounds ([7 x i8], [7 x i8]* @vais.hot.name.10, i32 0, i32 0), i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.11, i32 0, i32 0), i32 80, i32 0, i64 0, i64 8, i64 1, i8* null }]
@vais.hot.functions = private constant [2 x { i8*, i8*, i64, i64, i32, i32, i8* }] [{ i8*, i8*, i64, i64, i32, i32, i8* } { i8* getelementptr inbounds ([7 x i8], [7 x i8]* @vais.hot.name, i32 0, i32 0), i8* getelementptr inbounds ([16 x i8], [16 x i8]* @vais.hot.name.1, i32 0, i32 0), i64 -3153707101477066845, i64 -3465687543111175258, i32 0, i32 0, i8* bitcast (i64 (%State*)* @__vais_hot_body.update to i8*) }, { i8*, i8*, i64, i64, i32, i32, i8* } { i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.2, i32 0, i32 0), i8* getelementptr inbounds ([16 x i8], [16 x i8]* @vais.hot.name.3, i32 0, i32 0), i64 -3153707101477066845, i64 -769587449582735489, i32 1, i32 0, i8* bitcast (i64 (%State*)* @__vais_hot_fn.twice to i8*) }]
@vais.hot.layouts = private constant [2 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }] [{ i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* } { i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.4, i32 0, i32 0), i8* getelementptr inbounds ([25 x i8], [25 x i8]* @vais.hot.name.5, i32 0, i32 0), i64 -4109443202484031134, i32 0, i32 1, i64 8, i64 0, i8* bitcast ([1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }]* @vais.hot.fields to i8*), i8* null, i32 0, i32 0, i8* null, i8* null }, { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* } { i8* getelementptr inbounds ([7 x i8], [7 x i8]* @vais.hot.name.8, i32 0, i32 0), i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.9, i32 0, i32 0), i64 -5898710473539910794, i32 2, i32 1, i64 8, i64 0, i8* bitcast ([1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }]* @vais.hot.fields.12 to i8*), i8* null, i32 0, i32 0, i8* null, i8* null }]
@vais.hot.new_globals = private constant [0 x { i8*, i8*, i64, i64, i64, i8*, i8* }] zeroinitializer
@__vais_hot_manifest = protected constant { i32, i32, i64, i32, i32, i32, i32, i8*, i8*, i32, i32, i8* } { i32 6, i32 1, i64 2087432831185312278, i32 2, i32 2, i32 0, i32 0, i8* bitcast ([2 x { i8*, i8*, i64, i64, i32, i32, i8* }]* @vais.hot.functions to i8*), i8* bitcast ([2 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }]* @vais.hot.layouts to i8*), i32 0, i32 0, i8* bitcast ([0 x { i8*, i8*, i64, i64, i64, i8*, i8* }]* @vais.hot.new_globals to i8*) }

; Function Attrs: noinline null_pointer_is_valid uwtable
define protected i64 @__vais_hot_body.update(%State* %0) #0 {
entry:
  %field = getelementptr inbounds %State, %State* %0, i32 0, i32 0
  %old = load i64, i64* %field, align 8
  %add = add i64 %old, 2
  store i64 %add, i64* %field, align 8
  %field1 = getelementptr inbounds %State, %State* %0, i32 0, i32 0
  %load = load i64, i64* %field1, align 8
  ret i64 %load
}

; Function Attrs: noinline
declare i64 @__vais_hot_fn.twice(%State*) #1

declare i64 @__vais_hot_fn.run(i64 (%State*)*, %State*)

attributes #0 = { noinline null_pointer_is_valid uwtable "disable-tail-calls"="true" }
attributes #1 = { noinline }
